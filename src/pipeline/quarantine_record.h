// The quarantine row of one rejected record: where it came from (input, location), its raw text,
// every failed rule with its message, and the mapped record when it got that far.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/record_processor.h"
#include "sources/input_file.h"
#include "sources/record_source.h"
#include "tradeflow/quarantine/v1/quarantine.pb.h"

namespace tradeflow::pipeline {

// Who stored the row: the run, its pipeline and the version of the pipeline's mapping (the
// mapping a fix is made against, as provenance.mapping_version is for a stored record).
struct QuarantineOrigin {
  std::string run_id;
  std::string pipeline;
  std::string mapping_version;
};

// The row for `record` of `input`, rejected with outcome `out`, at `now_micros` (Unix time).
// Every failure is an error: a record with only warnings is stored, not quarantined.
tradeflow::quarantine::v1::QuarantineRecord MakeQuarantineRecord(
    const QuarantineOrigin& origin, const sources::InputFile& input,
    const sources::SourceRecord& record, const RecordOutcome& out, int64_t now_micros);

// Sets raw_record to `raw` when it is UTF-8 (a string column must hold UTF-8). Otherwise
// raw_record shows each invalid byte as \xNN and raw_bytes keeps the exact bytes.
void SetRawRecord(const std::string& raw, tradeflow::quarantine::v1::QuarantineRecord* q);

}  // namespace tradeflow::pipeline
