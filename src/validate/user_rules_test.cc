// User rules: every check kind passing and failing, and the configuration errors Make() reports.
#include "validate/user_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "validate/test_util.h"
#include "validate/validator.h"

namespace tradeflow::validate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace testing;  // NOLINT: the test helpers

UserRule Rule(const std::string& id, const std::string& field, UserRule::Kind kind) {
  UserRule r;
  r.id = id;
  r.field = field;
  r.kind = kind;
  r.where = "p.yaml:7";
  return r;
}

class UserRulesTest : public ::testing::Test {
 protected:
  // Failures of `rule` alone (built-in rules pass on the sample trades).
  std::vector<RuleFailure> Run(const UserRule& rule, const pb::TradeEvent& e) {
    ValidationSpec spec;
    spec.rules.push_back(rule);
    auto v = Validator::Make(spec, &lookup_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok()) return {};
    return (*v)->Check(e, {}, kNow);
  }

  std::string MakeError(const UserRule& rule) {
    ValidationSpec spec;
    spec.rules.push_back(rule);
    auto v = Validator::Make(spec, &lookup_);
    EXPECT_FALSE(v.ok());
    return v.ok() ? "" : v.status().message();
  }

  FakeLookup lookup_ = FullLookup();
};

TEST_F(UserRulesTest, NotNull) {
  auto r = Rule("need_trader", "parties.trader", UserRule::Kind::kNotNull);
  auto failures = Run(r, Future());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].rule, "need_trader");
  EXPECT_EQ(failures[0].field, "parties.trader");
  EXPECT_EQ(failures[0].message, "parties.trader is missing");
  EXPECT_EQ(failures[0].severity, Severity::kError);
  auto e = Future();
  e.mutable_parties()->set_trader("jsmith");
  EXPECT_THAT(Run(r, e), IsEmpty());

  // Past the end of a list, under an unset message, an enum at 0, an unset date: all absent.
  EXPECT_EQ(Run(Rule("x", "legs[1].quantity.value", UserRule::Kind::kNotNull), e).size(), 1u);
  EXPECT_EQ(Run(Rule("x", "parties.broker.name", UserRule::Kind::kNotNull), e).size(), 1u);
  EXPECT_EQ(Run(Rule("x", "trade_status", UserRule::Kind::kNotNull), e).size(), 1u);
  EXPECT_EQ(Run(Rule("x", "effective_date", UserRule::Kind::kNotNull), e).size(), 1u);
  EXPECT_THAT(Run(Rule("x", "parties.counterparty", UserRule::Kind::kNotNull), e), IsEmpty());
  EXPECT_THAT(Run(Rule("x", "execution_time", UserRule::Kind::kNotNull), e), IsEmpty());
  // Blanks only, Unicode ones too, are missing, as for the built-in required_* rules.
  e.mutable_parties()->set_trader("\xC2\xA0");
  ASSERT_EQ(Run(r, e).size(), 1u);
  EXPECT_EQ(Run(r, e)[0].message, "parties.trader holds only blanks ('\xC2\xA0')");
}

TEST_F(UserRulesTest, RangeOnDecimalIsExact) {
  auto r = Rule("max_lots", "legs[0].quantity.lots", UserRule::Kind::kRange);
  r.min = "1";
  r.max = "5000";
  EXPECT_THAT(Run(r, Future()), IsEmpty());
  auto e = Future();
  e.mutable_legs(0)->mutable_quantity()->mutable_lots()->set_value("5000.000001");
  auto failures = Run(r, e);
  ASSERT_EQ(failures.size(), 2u);  // lots_times_contract_size fails too
  EXPECT_EQ(failures[1].rule, "max_lots");
  EXPECT_EQ(failures[1].message, "legs[0].quantity.lots is 5000.000001, above the maximum 5000");
  e.mutable_legs(0)->mutable_quantity()->mutable_lots()->set_value("0.5");
  EXPECT_THAT(Run(r, e).back().message, HasSubstr("below the minimum 1"));
  e.mutable_legs(0)->mutable_quantity()->clear_lots();  // absent: not this rule's business
  EXPECT_THAT(Run(r, e), IsEmpty());

  auto only_min = Rule("price_floor", "legs[0].fixed.price.value", UserRule::Kind::kRange);
  only_min.min = "85.5";
  EXPECT_THAT(Run(only_min, Future()), IsEmpty());
  only_min.min = "85.5000000001";
  EXPECT_EQ(Run(only_min, Future()).size(), 1u);
}

TEST_F(UserRulesTest, RangeOnIntegerAndDate) {
  auto version = Rule("version_cap", "source_version", UserRule::Kind::kRange);
  version.max = "0";
  EXPECT_THAT(Run(version, Future()).back().message, "source_version is 1, above the maximum 0");
  auto date = Rule("recent", "trade_date", UserRule::Kind::kRange);
  date.min = "2026-01-01";
  date.max = "2026-05-10";
  EXPECT_EQ(Run(date, Future()).back().message,
            "trade_date is 2026-05-11, above the maximum 2026-05-10");
  date.max = "2026-05-11";
  EXPECT_THAT(Run(date, Future()), IsEmpty());
}

TEST_F(UserRulesTest, SetOnStringsEnumsAndIntegers) {
  auto units = Rule("units", "legs[0].quantity.unit", UserRule::Kind::kSet);
  units.values = {"MWh", "bbl", "MT"};
  EXPECT_THAT(Run(units, Future()), IsEmpty());
  units.values = {"MWh", "MT"};
  EXPECT_EQ(Run(units, Future()).back().message,
            "legs[0].quantity.unit is 'bbl', not one of [MWh, MT]");

  auto side = Rule("buys_only", "direction", UserRule::Kind::kSet);
  side.values = {"buy"};  // a label in any case
  EXPECT_THAT(Run(side, Future()), IsEmpty());
  side.values = {"SIDE_SELL"};  // or the full value name
  EXPECT_EQ(Run(side, Future()).back().message, "direction is BUY, not one of [SIDE_SELL]");

  auto leg = Rule("leg_numbers", "legs[0].leg_number", UserRule::Kind::kSet);
  leg.values = {"1", "2"};
  EXPECT_THAT(Run(leg, Future()), IsEmpty());

  auto price = Rule("round_price", "legs[0].fixed.price.value", UserRule::Kind::kSet);
  price.values = {"85.50"};  // decimals compare by value
  EXPECT_THAT(Run(price, Future()), IsEmpty());
}

TEST_F(UserRulesTest, PatternMatchesTheWholeValue) {
  auto r = Rule("book_format", "parties.book", UserRule::Kind::kPattern);
  r.pattern = "[A-Z]+-[A-Z]{2,3}";
  r.severity = Severity::kWarning;
  EXPECT_THAT(Run(r, Future()), IsEmpty());
  auto e = Future();
  e.mutable_parties()->set_book("OIL-LDN-2");  // a prefix match is not enough
  lookup_.Add("books", "OIL-LDN-2");
  auto failures = Run(r, e);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].severity, Severity::kWarning);
  EXPECT_EQ(failures[0].message, "'OIL-LDN-2' does not match the pattern [A-Z]+-[A-Z]{2,3}");
  EXPECT_FALSE(HasErrors(failures));
}

TEST_F(UserRulesTest, PatternOnAVeryLongValueNeitherCrashesNorQuotesItWhole) {
  auto r = Rule("trader_format", "parties.trader", UserRule::Kind::kPattern);
  r.pattern = "(\\w|\\.)+";  // a group repeated per character: std::regex recursed per character
  auto e = Future();
  e.mutable_parties()->set_trader(std::string(200000, 'a'));
  EXPECT_THAT(Run(r, e), IsEmpty());
  e.mutable_parties()->set_trader(std::string(200000, 'a') + "!");
  auto failures = Run(r, e);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].message, "'" + std::string(80, 'a') +
                                     "...' (200001 bytes) does not match the pattern (\\w|\\.)+");
}

TEST_F(UserRulesTest, APatternTooSlowToDecideFailsTheRuleSayingSo) {
  auto r = Rule("trader_format", "parties.trader", UserRule::Kind::kPattern);
  r.pattern = "(a+)+";
  auto e = Future();
  e.mutable_parties()->set_trader(std::string(30, 'a') + "!");
  auto failures = Run(r, e);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_THAT(failures[0].message,
              HasSubstr("!' could not be checked against the pattern (a+)+: match limit"));
}

TEST_F(UserRulesTest, Reference) {
  lookup_.Add("traders", "jsmith");
  auto r = Rule("known_trader", "parties.trader", UserRule::Kind::kReference);
  r.table = "traders";
  auto e = Future();
  EXPECT_THAT(Run(r, e), IsEmpty());  // absent: passes
  e.mutable_parties()->set_trader("jsmith");
  EXPECT_THAT(Run(r, e), IsEmpty());
  e.mutable_parties()->set_trader("nobody");
  EXPECT_EQ(Run(r, e).back().message, "'nobody' is not in reference table traders");
}

TEST_F(UserRulesTest, Compare) {
  auto r = Rule("expiry_before_delivery", "legs[0].option.expiry_date", UserRule::Kind::kCompare);
  r.op = CompareOp::kGe;
  r.other_field = "trade_date";
  EXPECT_THAT(Run(r, FutureOption()), IsEmpty());
  r.op = CompareOp::kLt;
  EXPECT_EQ(Run(r, FutureOption()).back().message,
            "legs[0].option.expiry_date 2026-06-25 must be < trade_date 2026-05-11");

  // Decimals of different scales compare by value.
  auto q = Rule("qty_is_total", "legs[0].quantity.value", UserRule::Kind::kCompare);
  q.op = CompareOp::kEq;
  q.other_field = "legs[0].fixed.price.value";
  auto e = Future();
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("10000.0");
  EXPECT_THAT(Run(q, e), IsEmpty());
  q.op = CompareOp::kNe;
  EXPECT_EQ(Run(q, e).size(), 1u);
  // A quantity of 32 whole digits against a price of 10 decimals: no common scale fits 38
  // digits, and the values still compare.
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value(
      "99999999999999999999999999999999");
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("1.0000000001");
  e.mutable_legs(0)->mutable_quantity()->clear_lots();  // only this rule's say
  q.op = CompareOp::kGt;
  EXPECT_THAT(Run(q, e), IsEmpty());
  q.op = CompareOp::kLt;
  ASSERT_EQ(Run(q, e).size(), 1u);
  EXPECT_THAT(Run(q, e)[0].message, HasSubstr("must be <"));

  auto legs = Rule("same_direction", "legs[0].direction", UserRule::Kind::kCompare);
  legs.op = CompareOp::kEq;
  legs.other_field = "direction";
  EXPECT_THAT(Run(legs, Future()), IsEmpty());
  auto other_absent = Rule("x", "legs[0].direction", UserRule::Kind::kCompare);
  other_absent.other_field = "legs[1].direction";
  EXPECT_THAT(Run(other_absent, Future()), IsEmpty());
}

TEST_F(UserRulesTest, ConfigurationErrorsNameTheRule) {
  EXPECT_EQ(MakeError(Rule("typo", "legs[0].quantity.lotz", UserRule::Kind::kNotNull)),
            "p.yaml:7: rule 'typo': field 'legs[0].quantity.lotz': Quantity has no field 'lotz'");
  EXPECT_THAT(MakeError(Rule("x", "legs.quantity.value", UserRule::Kind::kNotNull)),
              HasSubstr("legs is a list; write legs[0]"));
  EXPECT_THAT(MakeError(Rule("x", "parties[0].book", UserRule::Kind::kNotNull)),
              HasSubstr("parties is not a list"));
  EXPECT_THAT(MakeError(Rule("x", "source_attributes", UserRule::Kind::kNotNull)),
              HasSubstr("map fields"));
  EXPECT_THAT(MakeError(Rule("x", "trade_date.year", UserRule::Kind::kNotNull)),
              HasSubstr("is a Date value"));

  auto range = Rule("x", "parties.book", UserRule::Kind::kRange);
  range.min = "1";
  EXPECT_THAT(MakeError(range), HasSubstr("range needs a decimal, integer or date field"));
  range.field = "legs[0].quantity.lots";
  range.min.reset();
  EXPECT_THAT(MakeError(range), HasSubstr("range needs min, max or both"));
  range.min = "1.0000001";  // lots have 6 decimal places
  EXPECT_THAT(MakeError(range), HasSubstr("range min: '1.0000001' has 7 decimal places"));
  range.min = "10";
  range.max = "1";
  EXPECT_THAT(MakeError(range), HasSubstr("range min 10 is above max 1"));
  auto date = Rule("x", "trade_date", UserRule::Kind::kRange);
  date.max = "2026-02-30";
  EXPECT_THAT(MakeError(date), HasSubstr("is not a date YYYY-MM-DD"));

  auto set = Rule("x", "direction", UserRule::Kind::kSet);
  EXPECT_THAT(MakeError(set), HasSubstr("set needs at least one value"));
  set.values = {"LONG"};
  EXPECT_THAT(MakeError(set), HasSubstr("'LONG' is not a Side (BUY, SELL)"));

  auto pattern = Rule("x", "parties.book", UserRule::Kind::kPattern);
  pattern.pattern = "[A-Z";
  EXPECT_THAT(MakeError(pattern), HasSubstr("pattern '[A-Z' is not a valid regular expression"));
  pattern.field = "source_version";
  pattern.pattern = "[0-9]+";
  EXPECT_THAT(MakeError(pattern), HasSubstr("pattern needs a string field"));

  auto ref = Rule("x", "parties.trader", UserRule::Kind::kReference);
  ref.table = "traders";
  EXPECT_EQ(MakeError(ref),
            "p.yaml:7: rule 'x': reference table 'traders' is not loaded, or has no single key to "
            "look a value up by (the tables that have: counterparties by id, books by book, "
            "products by commodity, contracts by exchange:product_code)");

  auto cmp = Rule("x", "trade_date", UserRule::Kind::kCompare);
  cmp.other_field = "legs[0].quantity.value";
  EXPECT_THAT(MakeError(cmp), HasSubstr("compare needs fields of the same type"));
  cmp.other_field = "nope";
  EXPECT_THAT(MakeError(cmp), HasSubstr("other_field 'nope'"));
  cmp = Rule("x", "direction", UserRule::Kind::kCompare);
  cmp.other_field = "action";
  EXPECT_THAT(MakeError(cmp), HasSubstr("compare needs fields of the same type; direction is an "
                                        "enum (Side), action an enum (Action)"));
  cmp.other_field = "legs[0].direction";
  cmp.op = CompareOp::kLt;
  EXPECT_THAT(MakeError(cmp), HasSubstr("can only be compared with == or !="));

  EXPECT_THAT(MakeError(Rule("positive_quantity", "parties.book", UserRule::Kind::kNotNull)),
              HasSubstr("is a built-in rule"));
  for (const char* stage :
       {"normalisation", "mapping_error", "parse_error", "package_incomplete"}) {
    EXPECT_THAT(MakeError(Rule(stage, "parties.book", UserRule::Kind::kNotNull)),
                HasSubstr("names failures of the pipeline's own stages"))
        << stage;
  }
  // Filled once the rules have run: a rule would always see it unset.
  EXPECT_THAT(MakeError(Rule("h", "content_hash", UserRule::Kind::kNotNull)),
              HasSubstr("content_hash is filled after validation"));
  EXPECT_THAT(MakeError(Rule("w", "quality_warnings[0].rule", UserRule::Kind::kNotNull)),
              HasSubstr("is filled after validation"));
  ValidationSpec twice;
  twice.rules = {Rule("a", "parties.book", UserRule::Kind::kNotNull),
                 Rule("a", "parties.trader", UserRule::Kind::kNotNull)};
  auto v = Validator::Make(twice, &lookup_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "p.yaml:7: rule id 'a' is used twice");
}

TEST_F(UserRulesTest, RecordValueThatIsNotADecimalFailsTheRule) {
  auto r = Rule("max_lots", "legs[0].quantity.lots", UserRule::Kind::kRange);
  r.max = "5000";
  auto e = Swap();
  e.mutable_legs(0)->mutable_quantity()->mutable_lots()->set_value("ten");
  auto failures = Run(r, e);
  ASSERT_THAT(failures.size(), 2u);  // positive_quantity cannot read it either
  EXPECT_EQ(failures[1].rule, "max_lots");
  EXPECT_EQ(failures[1].message, "legs[0].quantity.lots: 'ten' is not a decimal number");
}

}  // namespace
}  // namespace tradeflow::validate
