// Counts the bad records of each input file against the pipeline's max_bad_records
// (pipeline_config.h): a file that is mostly bad records has a changed format or needs another
// mapping, and fails the run (or, with on_bad_file: skip, is left out of it) rather than landing
// as a day of quarantine rows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/record_processor.h"
#include "sources/input_file.h"
#include "sources/record_source.h"

namespace tradeflow::pipeline {

class BadRecordCounter {
 public:
  explicit BadRecordCounter(std::optional<BadRecordLimit> limit,
                            BadFilePolicy policy = BadFilePolicy::kFail)
      : limit_(std::move(limit)), policy_(policy) {}

  // Counts a rejected record of `input` (`rules`: the distinct rules it failed), unless it is
  // only a changed repeat of a version (unique_version: a re-sent trade, not a sign of a broken
  // file). One whose broken quoting swallowed lines (SourceRecord::swallowed_lines) counts once
  // per line it spans.
  // With a count limit, fails as soon as it is passed, so the rest of the file is not read.
  Status Count(const sources::InputFile& input, const sources::SourceRecord& record,
               const RecordOutcome& out, const std::set<std::string_view>& rules,
               int64_t records_read);

  // At the end of `input`: fails when its bad records are past the limit (count or percentage).
  Status CheckFile(const sources::InputFile& input, int64_t records_read) const {
    return Check(input, records_read, /*finished=*/true);
  }

 private:
  struct BadRecords {
    int64_t count = 0;
    // Lines a stray quote swallowed into malformed records: one can take in hundreds, and
    // counts once per line it spans (adding those lines to the records read), so the limit sees
    // what was not ingested.
    int64_t swallowed_lines = 0;
    std::map<std::string, int64_t> by_rule;  // records, by rule
    std::string first;                       // the first one, described
  };

  // The error names the counts, the most frequent rules and the first bad record: the cause
  // shows without the quarantine rows, none of which is committed.
  Status Check(const sources::InputFile& input, int64_t records_read, bool finished) const;

  std::optional<BadRecordLimit> limit_;
  BadFilePolicy policy_;
  std::map<std::string, BadRecords> by_input_;  // by sha256
};

// "<file>:<line>: <field>: <message>" of one failure of a rejected record, as errors show it; a
// parse error names its file and line itself.
std::string DescribeFailure(const sources::InputFile& input, const sources::SourceRecord& record,
                            const RecordFailure& failure, tradeflow::quarantine::v1::Stage stage);

}  // namespace tradeflow::pipeline
