// User rules (validation_spec.h UserRule) compiled against a message descriptor: field paths are
// resolved, bounds and set members parsed at the field's type, regular expressions compiled and
// reference tables checked once, so that Check() per record only reads and compares.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/reference_lookup.h"
#include "validate/field_reader.h"
#include "validate/regex.h"
#include "validate/rule.h"
#include "validate/validation_spec.h"

namespace tradeflow::validate {

class CompiledUserRule {
 public:
  // Invalid, naming the rule ("<where>: rule '<id>': ..."), when the field path does not exist,
  // the check does not fit the field's type, a bound or set member does not parse, the regular
  // expression is invalid, or a reference table is not loaded. `lookup` may be null when no rule
  // uses `reference`.
  static Result<CompiledUserRule> Compile(const UserRule& rule,
                                          const google::protobuf::Descriptor* root,
                                          const model::ReferenceLookup* lookup);

  const std::string& id() const { return id_; }

  // Appends a failure when `record` breaks the rule.
  void Check(const google::protobuf::Message& record, std::vector<RuleFailure>* out) const;

 private:
  // A value of the field's kind, parsed from the configuration or a record.
  struct Scalar {
    arrow::Decimal128 decimal;  // kDecimal, at scale_
    int64_t number = 0;         // kInteger, kBool, kEnum, kDate, kTimestamp (seconds)
    int32_t nanos = 0;          // kTimestamp
    int32_t scale = 0;          // kDecimal
  };

  CompiledUserRule() = default;
  Result<Scalar> ParseBound(const std::string& text) const;
  // The record's value as a Scalar; false (with *error set) when a decimal does not parse.
  bool ToScalar(const FieldReader& reader, const FieldValue& value, Scalar* out,
                std::string* error) const;
  std::string Show(const FieldReader& reader, const FieldValue& value) const;
  void Fail(std::string message, std::vector<RuleFailure>* out) const;

  std::string id_;
  Severity severity_ = Severity::kError;
  UserRule::Kind kind_ = UserRule::Kind::kNotNull;
  FieldReader field_;
  std::optional<Scalar> min_, max_;
  std::optional<std::string> min_text_, max_text_;
  std::vector<std::string> string_set_;  // sorted, for kSet on strings
  std::vector<Scalar> scalar_set_;       // for kSet on other kinds
  std::string set_text_;                 // "[A, B]" for messages
  std::optional<Regex> regex_;           // kPattern
  std::string pattern_;
  std::string table_;
  const model::ReferenceLookup* lookup_ = nullptr;
  CompareOp op_ = CompareOp::kEq;
  std::optional<FieldReader> other_;
};

}  // namespace tradeflow::validate
