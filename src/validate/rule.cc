#include "validate/rule.h"

#include <algorithm>

namespace tradeflow::validate {

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

bool HasErrors(const std::vector<RuleFailure>& failures) {
  return std::any_of(failures.begin(), failures.end(),
                     [](const RuleFailure& f) { return f.severity == Severity::kError; });
}

std::string ToString(const RuleFailure& failure) {
  std::string out = failure.rule + " (" + std::string(SeverityName(failure.severity)) + ") ";
  out += failure.field.empty() ? "record" : failure.field;
  out += ": " + failure.message;
  return out;
}

}  // namespace tradeflow::validate
