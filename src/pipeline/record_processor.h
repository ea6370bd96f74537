// The per-record work of a batch run, for a chunk of records at a time: map → normalise →
// validate → (when accepted) serialize and compute the record's partition and sort key.
//
// Process() is const and thread-safe, so the run hands chunks to a thread pool and keeps the
// order-dependent work for itself: counting, the duplicate-version check (which needs input
// order), quarantine rows and adding accepted rows to the table writer, chunk by chunk in input
// order. The outcome of a record is therefore the same whatever thread ran it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/partitioning.h"
#include "pipeline/row_keys.h"
#include "sources/input_file.h"
#include "sources/record_source.h"
#include "tradeflow/quarantine/v1/quarantine.pb.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "transform/mapper.h"
#include "transform/normalise.h"
#include "transform/reference_data.h"
#include "validate/duplicate_index.h"
#include "validate/validator.h"

namespace tradeflow::pipeline {

struct RecordFailure {
  std::string rule;
  std::string field;
  std::string message;
};

// What became of one record.
struct RecordOutcome {
  bool accepted = false;
  // Rejected: the stage, every failed rule, and (when it got as far as mapping) the mapped record.
  tradeflow::quarantine::v1::Stage stage = tradeflow::quarantine::v1::STAGE_UNSPECIFIED;
  std::vector<RecordFailure> failures;
  bool mapped = false;
  std::string mapped_json;
  // Mapped records: the trade version key (for the in-order duplicate check and quarantine).
  validate::DuplicateKey key;
  // Accepted: the serialized TradeEvent (with its content_hash, also kept here for the duplicate
  // check) and where it goes in the table.
  std::vector<std::string> warned_by;  // the rules whose warnings it carries, each once
  bool has_warnings() const { return !warned_by.empty(); }
  void AddWarnedBy(const std::string& rule) {
    if (std::find(warned_by.begin(), warned_by.end(), rule) == warned_by.end()) {
      warned_by.push_back(rule);
    }
  }
  // A time of the record has digits below a microsecond, which the table cannot hold.
  bool finer_than_micros = false;
  int64_t content_hash = 0;
  std::vector<lake::PartitionValue> partition;
  std::string sort_key;
  std::string row;
};

// Records read from one input file, in order, and what became of them. Reused between chunks so
// that strings keep their capacity.
struct RecordChunk {
  const sources::InputFile* input = nullptr;
  size_t file_index = 0;
  size_t size = 0;  // records[0, size) are this chunk's
  std::vector<sources::SourceRecord> records;
  std::vector<RecordOutcome> outcomes;
};

struct RecordProcessorOptions {
  const transform::Mapper* mapper = nullptr;
  const validate::Validator* validator = nullptr;
  const transform::ReferenceData* reference = nullptr;  // null: no normalisation
  transform::NormaliseOptions normalise;
  const RowKeys* row_keys = nullptr;
  transform::RecordContext context;  // per run; location is set per record
};

class RecordProcessor {
 public:
  explicit RecordProcessor(RecordProcessorOptions options) : options_(std::move(options)) {}

  // Fills chunk->outcomes for every record whose outcome is not set yet (a record the source
  // could not parse comes with its outcome already filled in by the reader).
  void Process(RecordChunk* chunk) const;

  // Maps, normalises and validates one record into `event` again, with the run's warnings and
  // notes attached: for the rare record whose fate changes after Process() (a duplicate version).
  RecordOutcome Rebuild(const sources::InputFile& input, const sources::SourceRecord& record,
                        tradeflow::trade::v1::TradeEvent* event) const;

  // Serializes an accepted event into `row` (deterministically: map entries by key), with its
  // content_hash (model/content_hash.h: of everything but provenance, source_attributes and
  // quality_warnings, so adding a warning later leaves it as it was), which is also returned in
  // *content_hash.
  static Status SerializeRow(const tradeflow::trade::v1::TradeEvent& event, std::string* row,
                             int64_t* content_hash);

  // Marks `out` rejected at `stage`; with the mapped event (may be null) as JSON for quarantine.
  static void MarkRejected(tradeflow::quarantine::v1::Stage stage,
                           std::vector<RecordFailure> failures,
                           const tradeflow::trade::v1::TradeEvent* mapped, RecordOutcome* out);

 private:
  transform::RecordContext InputContext(const sources::InputFile& input) const;
  void ProcessOne(const sources::SourceRecord& record, transform::RecordContext* context,
                  tradeflow::trade::v1::TradeEvent* event, RecordOutcome* out) const;
  std::vector<RecordFailure> MappingFailures(tradeflow::trade::v1::TradeEvent* event,
                                             const std::vector<transform::MappingIssue>& issues,
                                             std::vector<transform::MappingIssue> unreadable) const;
  std::vector<RecordFailure> Validate(tradeflow::trade::v1::TradeEvent* event,
                                      const std::vector<transform::MappingIssue>& issues) const;

  RecordProcessorOptions options_;
};

}  // namespace tradeflow::pipeline
