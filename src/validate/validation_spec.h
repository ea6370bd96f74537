// The typed validation configuration: which built-in rules run at which severity, and the user's
// own rules. The pipeline module parses it from the pipeline file's `validation:` section
// (src/pipeline/validation_config.h, documented in docs/validation.md); this module reads no
// YAML. Validator::Make() checks it against the TradeEvent descriptor and the reference data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "validate/rule.h"

namespace tradeflow::validate {

// Switches one built-in rule off, or changes its severity. Rules not mentioned keep their default
// (see BuiltinRules() in validate/builtin_rules.h).
struct BuiltinSetting {
  std::string id;
  bool enabled = true;
  Severity severity = Severity::kError;
  std::string where;  // "<file>:<line>" for errors; may be empty
};

enum class CompareOp { kLt, kLe, kEq, kNe, kGe, kGt };

// "<", "<=", "==", "!=", ">=", ">".
std::string_view CompareOpName(CompareOp op);

// A user rule: one check on one field. Every check except not_null passes when the field is
// absent (an unset message, an empty string, an enum at 0, a list index past the end), so "must
// be present" and "must look like this" are separate rules.
struct UserRule {
  enum class Kind { kNotNull, kRange, kSet, kPattern, kReference, kCompare };

  std::string id;
  std::string field;  // canonical path, e.g. "legs[0].quantity.value"
  Severity severity = Severity::kError;
  Kind kind = Kind::kNotNull;
  std::string where;  // "<file>:<line>" for errors; may be empty

  // kRange: inclusive bounds as text (decimal, integer, or date YYYY-MM-DD); at least one.
  std::optional<std::string> min;
  std::optional<std::string> max;
  // kSet: allowed values (for an enum field, its labels without prefix: "BUY").
  std::vector<std::string> values;
  // kPattern: PCRE2 regular expression that must match the whole value.
  std::string pattern;
  // kReference: reference table the value must be a key of.
  std::string table;
  // kCompare: `field <op> other_field`, both of the same type.
  CompareOp op = CompareOp::kEq;
  std::string other_field;
};

struct ValidationSpec {
  std::vector<BuiltinSetting> builtin;
  // positive_price does not apply to products whose asset_subclass or commodity is one of these
  // (case-insensitive): power and gas trade at negative prices.
  std::vector<std::string> negative_price_allowed_for = {"Power", "Gas"};
  std::vector<UserRule> rules;
};

}  // namespace tradeflow::validate
