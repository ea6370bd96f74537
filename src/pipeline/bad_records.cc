#include "pipeline/bad_records.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "validate/validator.h"

namespace tradeflow::pipeline {

std::string DescribeFailure(const sources::InputFile& input, const sources::SourceRecord& record,
                            const RecordFailure& failure, tradeflow::quarantine::v1::Stage stage) {
  if (stage == tradeflow::quarantine::v1::STAGE_PARSE) return failure.message;
  // A mapping failure's message names its field and column already.
  const bool named = failure.field.empty() || stage == tradeflow::quarantine::v1::STAGE_MAP;
  return input.path + ":" + std::to_string(record.line) + ": " +
         (named ? "" : failure.field + ": ") + failure.message;
}

Status BadRecordCounter::Count(const sources::InputFile& input, const sources::SourceRecord& record,
                               const RecordOutcome& out, const std::set<std::string_view>& rules,
                               int64_t records_read) {
  constexpr std::string_view kRepeat = validate::Validator::kUniqueVersionRule;
  if (!limit_ || out.failures.empty()) return Status::OK();
  if (rules.size() == 1 && *rules.begin() == kRepeat) return Status::OK();
  BadRecords& bad = by_input_[input.sha256];
  bad.swallowed_lines += record.swallowed_lines;
  bad.count += record.swallowed_lines;
  ++bad.count;
  if (bad.first.empty()) {
    const RecordFailure& f = out.failures.front();
    bad.first = f.rule + ": " + DescribeFailure(input, record, f, out.stage);
    if (out.failures.size() > 1) {
      bad.first += " (and " + std::to_string(out.failures.size() - 1) + " more failures)";
    }
  }
  for (std::string_view rule : rules) {
    if (rule != kRepeat) ++bad.by_rule[std::string(rule)];
  }
  if (!limit_->count) return Status::OK();
  return Check(input, records_read, /*finished=*/false);
}

Status BadRecordCounter::Check(const sources::InputFile& input, int64_t records_read,
                               bool finished) const {
  auto it = by_input_.find(input.sha256);
  if (!limit_ || it == by_input_.end()) return Status::OK();
  const BadRecords& bad = it->second;
  const int64_t read = records_read + bad.swallowed_lines;
  if (!limit_->Exceeded(bad.count, read)) return Status::OK();
  std::vector<std::pair<int64_t, std::string>> rules;  // most records first, then by name
  for (const auto& [rule, count] : bad.by_rule) rules.emplace_back(-count, rule);
  std::sort(rules.begin(), rules.end());
  std::string by_rule;
  for (size_t i = 0; i < rules.size() && i < 3; ++i) {
    by_rule += (i ? ", " : "") + rules[i].second + " " + std::to_string(-rules[i].first);
  }
  if (rules.size() > 3) by_rule += ", ...";
  return Status::Invalid(
      input.path + ": " + std::to_string(bad.count) + " of " + std::to_string(read) + " records" +
      (finished ? "" : " read so far") + " are bad" +
      (bad.swallowed_lines > 0
           ? " (a record a stray quote ran over several lines counts once per line)"
           : "") +
      ", more than max_bad_records allows (" + limit_->ToString() + "); " +
      (policy_ == BadFilePolicy::kSkip
           ? "the file is left out and the run goes on without it (on_bad_file: skip)"
           : "the run stopped and committed nothing") +
      ". Bad records by rule: " + by_rule + ". The first: " + bad.first +
      ". A file this far off usually has a changed format or needs another mapping; fix that, "
      "or raise max_bad_records to quarantine its records one by one");
}

}  // namespace tradeflow::pipeline
