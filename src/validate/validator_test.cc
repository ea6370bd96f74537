// The spec's overrides of built-in rules, and the Validator's contract as the pipeline uses it.
#include "validate/validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "validate/test_util.h"

namespace tradeflow::validate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace testing;  // NOLINT: the test helpers

TEST(ValidatorTest, OverridesSwitchOffOrChangeSeverity) {
  FakeLookup lookup = FullLookup();
  auto e = Future();
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("-10000");
  e.mutable_legs(0)->mutable_quantity()->mutable_lots()->set_value("-10");
  e.set_execution_utc_offset("Z");
  e.mutable_execution_time()->set_seconds(1778455800);  // 2026-05-10 in UTC
  e.mutable_parties()->mutable_counterparty()->set_lei("529900T8BM49AURSDO56");

  auto defaults = Validator::Make({}, &lookup);
  ASSERT_TRUE(defaults.ok());
  auto failures = (*defaults)->Check(e, {}, kNow);
  EXPECT_THAT(Ids(failures), ElementsAre("positive_quantity legs[0].quantity.value",
                                         "positive_quantity legs[0].quantity.lots",
                                         "execution_date_matches_trade_date execution_time",
                                         "lei_check_digits parties.counterparty.lei"));
  EXPECT_TRUE(HasErrors(failures));

  ValidationSpec spec;
  spec.builtin = {{"positive_quantity", false, Severity::kError, ""},
                  {"execution_date_matches_trade_date", true, Severity::kError, ""},
                  {"lei_check_digits", true, Severity::kWarning, ""}};
  auto tuned = Validator::Make(spec, &lookup);
  ASSERT_TRUE(tuned.ok());
  failures = (*tuned)->Check(e, {}, kNow);
  ASSERT_THAT(Ids(failures), ElementsAre("execution_date_matches_trade_date execution_time",
                                         "lei_check_digits parties.counterparty.lei"));
  EXPECT_EQ(failures[0].severity, Severity::kError);
  EXPECT_EQ(failures[1].severity, Severity::kWarning);
  EXPECT_EQ(ToString(failures[1]),
            "lei_check_digits (warning) parties.counterparty.lei: LEI '529900T8BM49AURSDO56' has "
            "wrong check digits (ISO 17442 MOD 97-10)");
}

TEST(ValidatorTest, UnknownBuiltinIsAConfigurationError) {
  ValidationSpec spec;
  spec.builtin.push_back({"positive_quantities", false, Severity::kError, "p.yaml:4"});
  auto v = Validator::Make(spec, nullptr);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(),
              HasSubstr("p.yaml:4: unknown built-in rule 'positive_quantities' (known: "
                        "required_identity, "));
}

TEST(ValidatorTest, BuiltinsFirstThenUserRulesInOrder) {
  FakeLookup lookup = FullLookup();
  ValidationSpec spec;
  UserRule a;
  a.id = "need_trader";
  a.field = "parties.trader";
  UserRule b = a;
  b.id = "need_portfolio";
  b.field = "parties.portfolio";
  b.severity = Severity::kWarning;
  spec.rules = {a, b};
  auto v = Validator::Make(spec, &lookup);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto e = Future();
  e.set_source_version(0);
  EXPECT_THAT(Ids((*v)->Check(e, {}, kNow)),
              ElementsAre("positive_source_version source_version", "need_trader parties.trader",
                          "need_portfolio parties.portfolio"));
  e = Future();
  e.mutable_parties()->set_trader("t");
  auto failures = (*v)->Check(e, {}, kNow);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_FALSE(HasErrors(failures));  // a warning: stored and flagged
}

TEST(ValidatorTest, CleanRecordAllocatesNoFailures) {
  FakeLookup lookup = FullLookup();
  auto v = Validator::Make({}, &lookup);
  ASSERT_TRUE(v.ok());
  auto failures = (*v)->Check(Future(), {}, kNow);
  EXPECT_THAT(failures, IsEmpty());
  EXPECT_EQ(failures.capacity(), 0u);
}

}  // namespace
}  // namespace tradeflow::validate
