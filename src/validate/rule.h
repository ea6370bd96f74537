// What a validation rule reports about one record.
//
// A record with at least one failure of severity kError goes to quarantine; failures of severity
// kWarning are stored with the record as flags. Rule ids are stable: they appear in quarantine
// records, in metrics and in the pipeline file (to switch a built-in rule off or change its
// severity), so an id is never renamed or reused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tradeflow::validate {

enum class Severity { kError, kWarning };

// "error" / "warning": the spelling used in the pipeline file and in quarantine records.
std::string_view SeverityName(Severity severity);

struct RuleFailure {
  std::string rule;  // stable id, e.g. "positive_quantity"
  Severity severity = Severity::kError;
  std::string field;    // canonical path, e.g. "legs[0].quantity.value"
  std::string message;  // what is wrong, with the offending value
};

// True when any failure is an error (the record must be quarantined).
bool HasErrors(const std::vector<RuleFailure>& failures);

// "<rule> (<severity>) <field>: <message>", for logs and test output.
std::string ToString(const RuleFailure& failure);

}  // namespace tradeflow::validate
