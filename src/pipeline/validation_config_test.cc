#include "pipeline/validation_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "validate/validator.h"

namespace tradeflow::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using validate::Severity;
using validate::UserRule;

// Parses the `validation` section of a whole pipeline-file text, as the pipeline parser will.
Result<validate::ValidationSpec> Parse(const std::string& text) {
  YAML::Node root = YAML::Load(text);
  return ParseValidationConfig(root["validation"], "p.yaml");
}

std::string ErrorOf(const std::string& text) {
  auto spec = Parse(text);
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : spec.status().message();
}

TEST(ValidationConfigTest, FullExample) {
  auto spec = Parse(R"(pipeline: x
validation:
  builtin: {positive_quantity: off, execution_date_matches_trade_date: error,
            lei_check_digits: warning}
  negative_price_allowed_for: [Power, Gas, Emissions]
  rules:
    - id: book_format
      field: parties.book
      pattern: "[A-Z]+-[A-Z]{2,3}"
      severity: warning
    - id: max_lots
      field: legs[0].quantity.lots
      range: {min: "1", max: 5000}
    - id: units
      field: legs[0].quantity.unit
      set: [MWh, bbl]
    - id: sides
      field: direction
      set: {values: [BUY, SELL]}
    - id: need_trader
      field: parties.trader
      not_null: true
    - id: known_trader
      field: parties.trader
      reference: {table: traders}
    - id: expiry_after_trade
      field: legs[0].option.expiry_date
      compare: {op: ">=", other_field: trade_date}
    - id: book_regex
      field: parties.book
      pattern: {regex: "[A-Z-]+"}
    - id: ref_short
      field: parties.portfolio
      reference: portfolios
    - id: ge_word
      field: legs[0].option.expiry_date
      compare: {op: ge, other_field: trade_date}
)");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->builtin.size(), 3u);
  EXPECT_EQ(spec->builtin[0].id, "positive_quantity");
  EXPECT_FALSE(spec->builtin[0].enabled);
  EXPECT_EQ(spec->builtin[0].where, "p.yaml:3");
  EXPECT_TRUE(spec->builtin[1].enabled);
  EXPECT_EQ(spec->builtin[1].severity, Severity::kError);
  EXPECT_EQ(spec->builtin[2].severity, Severity::kWarning);
  EXPECT_THAT(spec->negative_price_allowed_for, ElementsAre("Power", "Gas", "Emissions"));

  ASSERT_EQ(spec->rules.size(), 10u);
  const UserRule& book = spec->rules[0];
  EXPECT_EQ(book.id, "book_format");
  EXPECT_EQ(book.field, "parties.book");
  EXPECT_EQ(book.kind, UserRule::Kind::kPattern);
  EXPECT_EQ(book.pattern, "[A-Z]+-[A-Z]{2,3}");
  EXPECT_EQ(book.severity, Severity::kWarning);
  EXPECT_EQ(book.where, "p.yaml:7");
  const UserRule& lots = spec->rules[1];
  EXPECT_EQ(lots.kind, UserRule::Kind::kRange);
  EXPECT_EQ(lots.severity, Severity::kError);  // the default
  EXPECT_EQ(*lots.min, "1");
  EXPECT_EQ(*lots.max, "5000");
  EXPECT_EQ(spec->rules[2].kind, UserRule::Kind::kSet);
  EXPECT_THAT(spec->rules[2].values, ElementsAre("MWh", "bbl"));
  EXPECT_THAT(spec->rules[3].values, ElementsAre("BUY", "SELL"));
  EXPECT_EQ(spec->rules[4].kind, UserRule::Kind::kNotNull);
  EXPECT_EQ(spec->rules[5].kind, UserRule::Kind::kReference);
  EXPECT_EQ(spec->rules[5].table, "traders");
  EXPECT_EQ(spec->rules[6].kind, UserRule::Kind::kCompare);
  EXPECT_EQ(spec->rules[6].op, validate::CompareOp::kGe);
  EXPECT_EQ(spec->rules[6].other_field, "trade_date");
  EXPECT_EQ(spec->rules[7].pattern, "[A-Z-]+");
  EXPECT_EQ(spec->rules[8].table, "portfolios");
  EXPECT_EQ(spec->rules[9].op, validate::CompareOp::kGe);
}

TEST(ValidationConfigTest, AbsentOrEmptySectionGivesTheDefaults) {
  auto spec = Parse("pipeline: x\n");
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->builtin.empty());
  EXPECT_TRUE(spec->rules.empty());
  EXPECT_THAT(spec->negative_price_allowed_for, ElementsAre("Power", "Gas"));
  spec = Parse("validation:\n");
  ASSERT_TRUE(spec.ok());
  spec = Parse("validation:\n  negative_price_allowed_for: []\n");
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->negative_price_allowed_for.empty());
}

TEST(ValidationConfigTest, ShapeErrorsNameFileAndLine) {
  EXPECT_EQ(ErrorOf("validation:\n  rulez: []\n"),
            "p.yaml:2: unknown key 'rulez' in validation (allowed: builtin, "
            "negative_price_allowed_for, rules)");
  EXPECT_THAT(ErrorOf("validation:\n  builtin: {positive_quantities: off}\n"),
              HasSubstr("p.yaml:2: unknown built-in rule 'positive_quantities' (known: "));
  EXPECT_EQ(ErrorOf("validation:\n  builtin: {positive_quantity: maybe}\n"),
            "p.yaml:2: builtin.positive_quantity must be off, error or warning, not 'maybe'");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - field: parties.book\n      not_null: true\n"),
            "p.yaml:3: a validation rule needs an id");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      not_null: true\n"),
            "p.yaml:3: rule 'a' needs a field");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"),
            "p.yaml:3: rule 'a' needs one check: not_null, range, set, pattern, reference or "
            "compare");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      not_null: true\n      pattern: x\n"),
            "p.yaml:6: rule 'a' has two checks, not_null and pattern; write two rules");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      not_null: true\n      colour: red\n"),
            "p.yaml:6: unknown key 'colour' in a validation rule (allowed: id, field, severity, "
            "not_null, range, set, pattern, reference, compare)");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      not_null: true\n      severity: fatal\n"),
            "p.yaml:6: severity must be error or warning, not 'fatal'");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: legs[0].quantity.lots\n"
                    "      range: {minimum: 1}\n"),
            "p.yaml:5: rule 'a': unknown key 'minimum' in range (allowed: min, max)");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: legs[0].quantity.lots\n"
                    "      range: {}\n"),
            "p.yaml:5: rule 'a': range needs min, max or both");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: trade_date\n"
                    "      compare: {op: \"=>\", other_field: x}\n"),
            "p.yaml:5: rule 'a': compare.op must be one of <, <=, ==, !=, >=, > (or lt, le, eq, "
            "ne, ge, gt), not '=>'");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: trade_date\n"
                    "      compare: {op: \"<\"}\n"),
            "p.yaml:5: rule 'a': compare needs op and other_field");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      not_null: false\n"),
            "p.yaml:5: rule 'a': not_null takes true (leave the check out otherwise)");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      set: []\n"),
            "p.yaml:5: rule 'a': set needs at least one value");
  EXPECT_EQ(ErrorOf("validation:\n  rules:\n    - id: a\n      field: parties.book\n"
                    "      not_null: true\n    - id: a\n      field: parties.trader\n"
                    "      not_null: true\n"),
            "p.yaml:6: rule id 'a' is used twice");
  EXPECT_EQ(ErrorOf("validation:\n  rules: {a: 1}\n"),
            "p.yaml:2: validation.rules must be a list of rules");
  EXPECT_EQ(ErrorOf("validation: [1]\n"), "p.yaml:1: validation must be a mapping");
}

TEST(ValidationConfigTest, ModelErrorsFromMakeNameTheRuleLine) {
  auto spec = Parse(R"(validation:
  rules:
    - id: ok
      field: parties.book
      not_null: true
    - id: typo
      field: legs[0].quantity.lotz
      range: {max: 10}
)");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto v = validate::Validator::Make(*spec, nullptr);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "p.yaml:6: rule 'typo': field 'legs[0].quantity.lotz': Quantity has no field 'lotz'");

  spec = Parse(
      "validation:\n  builtin: {positive_quantity: off}\n  rules:\n"
      "    - id: max_lots\n      field: legs[0].quantity.lots\n"
      "      range: {min: \"1\", max: \"5000\"}\n");
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(validate::Validator::Make(*spec, nullptr).ok());
}

TEST(ValidationConfigTest, YamlBooleansAsWritten) {
  // YAML 1.1 reads `off` as false; the setting still means "switched off".
  auto spec = Parse("validation:\n  builtin: {positive_quantity: false, lei_format: off}\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_FALSE(spec->builtin[0].enabled);
  EXPECT_FALSE(spec->builtin[1].enabled);
}

}  // namespace
}  // namespace tradeflow::pipeline
