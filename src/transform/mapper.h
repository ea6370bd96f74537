// Applies a MappingSpec to source records, producing canonical TradeEvents.
//
// Compile() resolves every target path against the TradeEvent descriptor and every source column
// against the source's column names once, so configuration mistakes (an unknown column, a target
// that does not exist, an enum label that is not in the enum) fail before any record is read,
// naming the rule's line in the pipeline file. Map() is then a tight loop with no lookups by name.
//
// Map() fills, besides the mapped fields:
// - `<enum>_raw` beside every mapped enum, with the source's own value;
// - `<x>_utc_offset` beside a mapped `<x>_time` timestamp, with the offset the source used;
// - trade_uid ("<source_system>:<source_trade_id>") when no rule maps it;
// - provenance (mapping version, input file URI and hash, line, run id, ingestion time);
// - source_attributes with every non-empty column that no rule reads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "transform/mapping_spec.h"

namespace tradeflow::transform {

// Where a record came from; plain data filled by the caller.
struct RecordContext {
  std::string input_uri;
  std::string input_sha256;
  std::string location;  // "line 17"
  std::string run_id;
  int64_t ingested_unix_micros = 0;
};

// A value the mapping kept but could not place, e.g. an enum value no rule maps. Not an error
// by itself: validation decides what it means.
struct MappingIssue {
  std::string target;
  std::string message;
};

class Mapper {
 public:
  static Result<std::unique_ptr<Mapper>> Compile(const MappingSpec& spec,
                                                 const std::vector<std::string>& column_names);
  ~Mapper();

  // Maps one record (fields in column order). An error names the target field and the source
  // column, e.g. "trade_date (column trade_dt): cannot parse '2024-13-01' as a date ...".
  Status Map(const std::vector<std::string>& fields, const RecordContext& context,
             tradeflow::trade::v1::TradeEvent* out, std::vector<MappingIssue>* issues) const;

  struct CompiledRule;

 private:
  Mapper() = default;

  std::string version_;
  std::vector<std::unique_ptr<CompiledRule>> rules_;
  std::vector<std::pair<int, std::string>> unmapped_columns_;  // index, name
  bool maps_trade_uid_ = false;
};

}  // namespace tradeflow::transform
