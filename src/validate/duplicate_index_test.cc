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

// Content hashes for the tests (any non-zero values; 0 means "not known").
constexpr int64_t kContent = 0x1234;
constexpr int64_t kOther = 0x5678;

TEST(DuplicateIndexTest, RemembersTheFirstPlace) {
  DuplicateIndex index;
  DuplicateIndex::Earlier first;
  DuplicateKey a{"ENDUR", "100001", 1};
  EXPECT_FALSE(index.Seen(a, kContent, "etrm.csv line 2", &first));
  EXPECT_FALSE(
      index.Seen({"ENDUR", "100001", 2}, kContent, "etrm.csv line 3", &first));  // new version
  EXPECT_FALSE(
      index.Seen({"ICE", "100001", 1}, kContent, "ice.csv line 2", &first));  // other source
  EXPECT_TRUE(index.Seen(a, kOther, "etrm.csv line 17", &first));
  EXPECT_EQ(first.where, "etrm.csv line 2");
  EXPECT_TRUE(index.Seen(a, kOther, "etrm.csv line 30", &first));
  EXPECT_EQ(first.where, "etrm.csv line 2");  // still the first
  EXPECT_EQ(index.size(), 3u);
}

// The first occurrence's content hash decides: the same again is a replay, another is not, and
// nothing is the same as a hash that is not known.
TEST(DuplicateIndexTest, ComparesContentWithTheFirst) {
  DuplicateIndex index;
  DuplicateIndex::Earlier first;
  DuplicateKey a{"ENDUR", "100001", 1};
  ASSERT_FALSE(index.Seen(a, kContent, "line 2", &first));
  ASSERT_TRUE(index.Seen(a, kContent, "line 3", &first));
  EXPECT_TRUE(first.content_known);
  EXPECT_TRUE(first.same_content);
  ASSERT_TRUE(index.Seen(a, kOther, "line 4", &first));
  EXPECT_FALSE(first.same_content);
  ASSERT_TRUE(index.Seen(a, kContent, "line 5", &first));  // the first's content still counts
  EXPECT_TRUE(first.same_content);
  EXPECT_EQ(first.where, "line 2");
  ASSERT_TRUE(index.Seen(a, 0, "line 6", &first));
  EXPECT_FALSE(first.same_content);

  index.AddExisting({"ENDUR", "100002", 1}, 0);  // stored before content hashes were kept
  ASSERT_TRUE(index.Seen({"ENDUR", "100002", 1}, kContent, "line 7", &first));
  EXPECT_FALSE(first.content_known);
  EXPECT_FALSE(first.same_content);
}

// A version stored with more than one content (unique_version as a warning stores a changed
// repeat): a copy of any of them is a replay.
TEST(DuplicateIndexTest, AVersionStoredWithSeveralContentsKnowsThemAll) {
  DuplicateIndex index;
  DuplicateIndex::Earlier first;
  index.AddExisting({"ENDUR", "1", 1}, kContent);
  index.AddExisting({"ENDUR", "1", 1}, kOther);  // the table holds both
  ASSERT_TRUE(index.Seen({"ENDUR", "1", 1}, kOther, "line 2", &first));
  EXPECT_TRUE(first.same_content);
  ASSERT_TRUE(index.Seen({"ENDUR", "1", 1}, 0x9999, "line 3", &first));
  EXPECT_FALSE(first.same_content);

  ASSERT_FALSE(index.Seen({"ENDUR", "2", 1}, kContent, "line 4", nullptr));
  ASSERT_TRUE(index.Seen({"ENDUR", "2", 1}, kOther, "line 5", &first));
  EXPECT_FALSE(first.same_content);
  index.AddContent({"ENDUR", "2", 1}, kOther);  // stored, flagged
  ASSERT_TRUE(index.Seen({"ENDUR", "2", 1}, kOther, "line 6", &first));
  EXPECT_TRUE(first.same_content);
  EXPECT_EQ(first.where, "line 4");
  EXPECT_EQ(index.size(), 2u);

  // A row without a hash beside one with a hash: the known one is a replay; anything else
  // cannot be told from a copy of the one without.
  index.AddExisting({"ENDUR", "3", 1}, 0);
  index.AddExisting({"ENDUR", "3", 1}, kContent);
  ASSERT_TRUE(index.Seen({"ENDUR", "3", 1}, kOther, "line 7", &first));
  EXPECT_FALSE(first.content_known);
  EXPECT_FALSE(first.same_content);
  ASSERT_TRUE(index.Seen({"ENDUR", "3", 1}, kContent, "line 8", &first));
  EXPECT_TRUE(first.same_content);
}

TEST(DuplicateIndexTest, KeysFromTheTable) {
  DuplicateIndex index;
  index.AddExisting({"ENDUR", "100001", 1}, kContent);
  DuplicateIndex::Earlier first;
  EXPECT_TRUE(index.Seen({"ENDUR", "100001", 1}, kContent, "etrm.csv line 2", &first));
  EXPECT_EQ(first.where, DuplicateIndex::kInTable);
  EXPECT_TRUE(first.same_content);
  EXPECT_FALSE(index.Seen({"ENDUR", "100001", 2}, kContent, "etrm.csv line 3", nullptr));
}

// Lookup() finds a key without adding it.
TEST(DuplicateIndexTest, LookupTellsWhereAKeyWasFirstSeen) {
  DuplicateIndex index;
  EXPECT_EQ(index.Lookup({"ENDUR", "1", 1}, kContent), std::nullopt);  // an empty index
  index.AddExisting({"ENDUR", "1", 1}, kContent);
  EXPECT_FALSE(index.Seen({"ENDUR", "2", 1}, kContent, "line 7", nullptr));
  EXPECT_FALSE(index.Seen({"ENDUR", "3", 1}, kOther, "day2.csv line 9", nullptr));
  auto where = [&](const DuplicateKey& key) {
    auto earlier = index.Lookup(key, kContent);
    return earlier ? std::optional<std::string>(earlier->where) : std::nullopt;
  };
  EXPECT_EQ(where({"ENDUR", "1", 1}), std::string(DuplicateIndex::kInTable));
  EXPECT_EQ(where({"ENDUR", "2", 1}), "line 7");
  EXPECT_EQ(where({"ENDUR", "3", 1}), "day2.csv line 9");
  EXPECT_EQ(where({"ENDUR", "3", 2}), std::nullopt);
  EXPECT_TRUE(index.Lookup({"ENDUR", "2", 1}, kContent)->same_content);
  EXPECT_FALSE(index.Lookup({"ENDUR", "3", 1}, kContent)->same_content);
  EXPECT_EQ(index.size(), 3u);
}

TEST(DuplicateIndexTest, ThousandsOfKeysKeepTheirPlacesAcrossGrowth) {
  DuplicateIndex index;
  for (int i = 0; i < 50000; ++i) {
    ASSERT_FALSE(index.Seen({"ENDUR", std::to_string(i), i % 3}, i + 1,
                            "line " + std::to_string(i + 2), nullptr));
  }
  for (int i = 0; i < 10000; ++i) index.AddExisting({"ICE", std::to_string(i), 1}, -i - 1);
  EXPECT_EQ(index.size(), 60000u);
  DuplicateIndex::Earlier first;
  for (int i = 0; i < 50000; i += 997) {
    ASSERT_TRUE(index.Seen({"ENDUR", std::to_string(i), i % 3}, i + 1, "line 0", &first));
    EXPECT_EQ(first.where, "line " + std::to_string(i + 2));
    EXPECT_TRUE(first.same_content);
    EXPECT_FALSE(index.Seen({"ENDUR", std::to_string(i), i % 3 + 7}, 1, "line 1", nullptr));
  }
  ASSERT_TRUE(index.Seen({"ICE", "9999", 1}, -10000, "line 5", &first));
  EXPECT_EQ(first.where, DuplicateIndex::kInTable);
  EXPECT_TRUE(first.same_content);
}

TEST(DuplicateIndexTest, ValidatorTellsReplaysFromConflicts) {
  auto v = Validator::Make({}, nullptr);
  ASSERT_TRUE(v.ok());
  using Seen = Validator::VersionSeen;
  DuplicateIndex index;
  const DuplicateKey stored = DuplicateKey::Of(Swap());  // ENDUR 100001 v1
  index.AddExisting(stored, kContent);

  std::vector<RuleFailure> failures;
  EXPECT_EQ((*v)->CheckDuplicate(stored, kContent, "etrm.csv line 2", &index, &failures),
            Seen::kReplay);
  EXPECT_THAT(failures, IsEmpty());
  EXPECT_EQ((*v)->CheckDuplicate(stored, kOther, "etrm.csv line 3", &index, &failures),
            Seen::kDuplicate);
  ASSERT_THAT(Ids(failures), ElementsAre("unique_version source_version"));
  EXPECT_EQ(failures[0].message,
            "(ENDUR, 100001, version 1) is a duplicate with different content: already in the "
            "table");
  EXPECT_EQ(failures[0].severity, Severity::kError);
  EXPECT_EQ(failures[0].rule, Validator::kUniqueVersionRule);

  failures.clear();
  DuplicateKey v2 = stored;
  v2.source_version = 2;
  EXPECT_EQ((*v)->CheckDuplicate(v2, kContent, "etrm.csv line 3", &index, &failures), Seen::kNew);
  EXPECT_EQ((*v)->CheckDuplicate(v2, kOther, "etrm.csv line 17", &index, &failures),
            Seen::kDuplicate);
  EXPECT_EQ((*v)->CheckDuplicate(v2, kContent, "etrm.csv line 18", &index, &failures),
            Seen::kReplay);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message,
            "(ENDUR, 100001, version 2) is a duplicate with different content: also at etrm.csv "
            "line 3");
}

TEST(DuplicateIndexTest, ARejectedRecordAlsoFailsUniqueVersionWithoutBeingAdded) {
  auto v = Validator::Make({}, nullptr);
  ASSERT_TRUE(v.ok());
  DuplicateIndex index;
  const DuplicateKey stored = DuplicateKey::Of(Swap());
  index.AddExisting(stored, kContent);
  DuplicateKey v2 = stored;
  v2.source_version = 2;
  std::vector<RuleFailure> failures;
  ASSERT_EQ((*v)->CheckDuplicate(v2, kContent, "etrm.csv line 3", &index, &failures),
            Validator::VersionSeen::kNew);

  // Its content is not known (0): a repeat of a stored or accepted version is a failure.
  auto in_table = (*v)->CheckRejectedDuplicate(stored, 0, index);
  ASSERT_TRUE(in_table.has_value());
  EXPECT_EQ(in_table->rule, Validator::kUniqueVersionRule);
  EXPECT_EQ(in_table->field, "source_version");
  EXPECT_EQ(in_table->severity, Severity::kError);
  EXPECT_EQ(in_table->message, "(ENDUR, 100001, version 1) is a duplicate: already in the table");
  auto in_run = (*v)->CheckRejectedDuplicate(v2, 0, index);
  ASSERT_TRUE(in_run.has_value());
  EXPECT_EQ(in_run->message, "(ENDUR, 100001, version 2) is a duplicate: also at etrm.csv line 3");
  // A replay of the stored content is not, and a new version is neither failed nor remembered.
  EXPECT_FALSE((*v)->CheckRejectedDuplicate(stored, kContent, index).has_value());
  DuplicateKey v3 = stored;
  v3.source_version = 3;
  EXPECT_FALSE((*v)->CheckRejectedDuplicate(v3, 0, index).has_value());
  EXPECT_FALSE((*v)->CheckRejectedDuplicate(v3, 0, index).has_value());
  EXPECT_EQ((*v)->CheckDuplicate(v3, kContent, "etrm.csv line 9", &index, &failures),
            Validator::VersionSeen::kNew);
  EXPECT_THAT(failures, IsEmpty());

  // As a warning, a quarantined record lists no failure for it.
  ValidationSpec warn;
  warn.builtin.push_back({"unique_version", true, Severity::kWarning, ""});
  auto lenient = Validator::Make(warn, nullptr);
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE((*lenient)->CheckRejectedDuplicate(stored, 0, index).has_value());
}

TEST(DuplicateIndexTest, AVersionStoredWithoutAHashIsADuplicate) {
  auto v = Validator::Make({}, nullptr);
  ASSERT_TRUE(v.ok());
  DuplicateIndex index;
  index.AddExisting(DuplicateKey::Of(Swap()), 0);
  std::vector<RuleFailure> failures;
  EXPECT_EQ((*v)->CheckDuplicate(DuplicateKey::Of(Swap()), kContent, "line 2", &index, &failures),
            Validator::VersionSeen::kDuplicate);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message,
            "(ENDUR, 100001, version 1) is a duplicate: already in the table (stored without a "
            "content hash, so a replay cannot be told from a change)");
}

TEST(DuplicateIndexTest, RuleCanBeSwitchedOffOrDowngraded) {
  DuplicateIndex index;
  const DuplicateKey key = DuplicateKey::Of(Future());
  index.AddExisting(key, kContent);
  std::vector<RuleFailure> failures;

  ValidationSpec off;
  off.builtin.push_back({"unique_version", false, Severity::kError, ""});
  auto v = Validator::Make(off, nullptr);
  ASSERT_TRUE(v.ok());
  // Off: nothing is checked, so even a replay is new (and would be stored again).
  EXPECT_EQ((*v)->CheckDuplicate(key, kOther, "x line 1", &index, &failures),
            Validator::VersionSeen::kNew);
  EXPECT_EQ((*v)->CheckDuplicate(key, kContent, "x line 1", &index, &failures),
            Validator::VersionSeen::kNew);
  EXPECT_THAT(failures, IsEmpty());

  ValidationSpec warn;
  warn.builtin.push_back({"unique_version", true, Severity::kWarning, ""});
  v = Validator::Make(warn, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)->CheckDuplicate(key, kOther, "x line 1", &index, &failures),
            Validator::VersionSeen::kDuplicate);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].severity, Severity::kWarning);
  // A replay is ignored whatever the severity.
  EXPECT_EQ((*v)->CheckDuplicate(key, kContent, "x line 2", &index, &failures),
            Validator::VersionSeen::kReplay);
}

}  // namespace
}  // namespace tradeflow::validate
