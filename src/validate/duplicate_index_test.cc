#include "validate/duplicate_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "validate/test_util.h"
#include "validate/validator.h"

namespace tradeflow::validate {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace testing;  // NOLINT: the test helpers

TEST(DuplicateIndexTest, RemembersTheFirstPlace) {
  DuplicateIndex index;
  std::string first;
  DuplicateKey a{"ENDUR", "100001", 1};
  EXPECT_FALSE(index.Seen(a, "etrm.csv line 2", &first));
  EXPECT_FALSE(index.Seen({"ENDUR", "100001", 2}, "etrm.csv line 3", &first));  // new version
  EXPECT_FALSE(index.Seen({"ICE", "100001", 1}, "ice.csv line 2", &first));     // other source
  EXPECT_TRUE(index.Seen(a, "etrm.csv line 17", &first));
  EXPECT_EQ(first, "etrm.csv line 2");
  EXPECT_TRUE(index.Seen(a, "etrm.csv line 30", &first));
  EXPECT_EQ(first, "etrm.csv line 2");  // still the first
  EXPECT_EQ(index.size(), 3u);
}

TEST(DuplicateIndexTest, KeysFromTheTable) {
  DuplicateIndex index;
  index.AddExisting({"ENDUR", "100001", 1});
  std::string first;
  EXPECT_TRUE(index.Seen({"ENDUR", "100001", 1}, "etrm.csv line 2", &first));
  EXPECT_EQ(first, DuplicateIndex::kInTable);
  EXPECT_FALSE(index.Seen({"ENDUR", "100001", 2}, "etrm.csv line 3", nullptr));
}

// Where() looks a key up without adding it.
TEST(DuplicateIndexTest, WhereTellsWhereAKeyWasFirstSeen) {
  DuplicateIndex index;
  EXPECT_EQ(index.Where({"ENDUR", "1", 1}), std::nullopt);  // an empty index
  index.AddExisting({"ENDUR", "1", 1});
  EXPECT_FALSE(index.Seen({"ENDUR", "2", 1}, "line 7", nullptr));
  EXPECT_FALSE(index.Seen({"ENDUR", "3", 1}, "day2.csv line 9", nullptr));
  EXPECT_EQ(index.Where({"ENDUR", "1", 1}), std::string(DuplicateIndex::kInTable));
  EXPECT_EQ(index.Where({"ENDUR", "2", 1}), "line 7");
  EXPECT_EQ(index.Where({"ENDUR", "3", 1}), "day2.csv line 9");
  EXPECT_EQ(index.Where({"ENDUR", "3", 2}), std::nullopt);
  EXPECT_EQ(index.size(), 3u);
}

TEST(DuplicateIndexTest, ThousandsOfKeysKeepTheirPlacesAcrossGrowth) {
  DuplicateIndex index;
  for (int i = 0; i < 50000; ++i) {
    ASSERT_FALSE(
        index.Seen({"ENDUR", std::to_string(i), i % 3}, "line " + std::to_string(i + 2), nullptr));
  }
  for (int i = 0; i < 10000; ++i) index.AddExisting({"ICE", std::to_string(i), 1});
  EXPECT_EQ(index.size(), 60000u);
  std::string first;
  for (int i = 0; i < 50000; i += 997) {
    ASSERT_TRUE(index.Seen({"ENDUR", std::to_string(i), i % 3}, "line 0", &first));
    EXPECT_EQ(first, "line " + std::to_string(i + 2));
    EXPECT_FALSE(index.Seen({"ENDUR", std::to_string(i), i % 3 + 7}, "line 1", nullptr));
  }
  ASSERT_TRUE(index.Seen({"ICE", "9999", 1}, "line 5", &first));
  EXPECT_EQ(first, DuplicateIndex::kInTable);
  // A key first seen in the run and then found in the table is reported as in the table.
  index.AddExisting({"ENDUR", "3", 0});
  ASSERT_TRUE(index.Seen({"ENDUR", "3", 0}, "line 9", &first));
  EXPECT_EQ(first, DuplicateIndex::kInTable);
}

TEST(DuplicateIndexTest, ValidatorReportsWhereTheFirstWas) {
  auto v = Validator::Make({}, nullptr);
  ASSERT_TRUE(v.ok());
  DuplicateIndex index;
  index.AddExisting(DuplicateKey::Of(Swap()));  // ENDUR 100001 v1 is stored already

  std::vector<RuleFailure> failures;
  EXPECT_TRUE((*v)->CheckDuplicate(Future(), "etrm.csv line 2", &index, &failures));
  ASSERT_THAT(Ids(failures), ElementsAre("unique_version source_version"));
  EXPECT_EQ(failures[0].message, "(ENDUR, 100001, version 1) is a duplicate: already in the table");
  EXPECT_EQ(failures[0].severity, Severity::kError);
  EXPECT_EQ(failures[0].rule, Validator::kUniqueVersionRule);

  failures.clear();
  auto v2 = Future();
  v2.set_source_version(2);
  EXPECT_FALSE((*v)->CheckDuplicate(v2, "etrm.csv line 3", &index, &failures));
  EXPECT_TRUE((*v)->CheckDuplicate(v2, "etrm.csv line 17", &index, &failures));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message,
            "(ENDUR, 100001, version 2) is a duplicate: also at etrm.csv line 3");
}

TEST(DuplicateIndexTest, RuleCanBeSwitchedOffOrDowngraded) {
  DuplicateIndex index;
  index.AddExisting(DuplicateKey::Of(Future()));
  std::vector<RuleFailure> failures;

  ValidationSpec off;
  off.builtin.push_back({"unique_version", false, Severity::kError, ""});
  auto v = Validator::Make(off, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE((*v)->CheckDuplicate(Future(), "x line 1", &index, &failures));
  EXPECT_THAT(failures, IsEmpty());

  ValidationSpec warn;
  warn.builtin.push_back({"unique_version", true, Severity::kWarning, ""});
  v = Validator::Make(warn, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE((*v)->CheckDuplicate(Future(), "x line 1", &index, &failures));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].severity, Severity::kWarning);
}

}  // namespace
}  // namespace tradeflow::validate
