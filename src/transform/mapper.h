// Applies a MappingSpec to source records, producing canonical TradeEvents.
//
// Compile() resolves every target path against the target message's descriptor once, so
// configuration mistakes (a target that does not exist, an enum label that is not in the enum, an
// invalid default) fail before any record is read, naming the rule's line in the pipeline file.
// The source fields the rules read are listed by source_fields(), in the order Map() expects
// their values; the source checks they exist (an unknown CSV column fails there, with the same
// line). Map() is then a tight loop with no lookups by name: the messages on the way to each
// target and their Reflection are resolved once (see TargetTree), enum values are found without
// allocating, decimals are checked and made canonical in one pass.
//
// A compiled Mapper is immutable: Map is const and thread-safe, so several threads may map
// records with the same Mapper at once, each with its own output message, values and issues.
//
// For a TradeEvent target, Map() fills, besides the mapped fields:
// - `<enum>_raw` beside every mapped enum, with the source's own value;
// - `<x>_utc_offset` beside a mapped `<x>_time` timestamp, with the offset the source used;
// - trade_uid ("<source_system>:<source_trade_id>") when no rule maps it;
// - provenance (mapping version, input file URI and hash, line, run id, ingestion time);
// - source_attributes with the record's extras: every non-empty field that no rule reads.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "transform/mapping_spec.h"

namespace tradeflow::transform {

class ReferenceData;
class TargetTree;

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
  // `target` defaults to TradeEvent; reference-data messages use the same machinery.
  // `reference` serves `lookup` sources; it must outlive the mapper (may be null without lookups).
  static Result<std::unique_ptr<Mapper>> Compile(
      const MappingSpec& spec,
      const google::protobuf::Descriptor* target = tradeflow::trade::v1::TradeEvent::descriptor(),
      const ReferenceData* reference = nullptr);
  ~Mapper();

  // The source fields the rules read, with the rule that first reads each (its `where`).
  struct SourceField {
    std::string name;
    std::string where;
  };
  const std::vector<SourceField>& source_fields() const { return source_fields_; }

  // Maps one record: `values` in source_fields() order, `extras` the record's other fields,
  // `out` a message of the target type from the generated factory (a TradeEvent, say; not a
  // DynamicMessage). A value that cannot be read as its target's type is an error naming the
  // target field and the source field, e.g. "trade_date (column trade_dt): cannot parse
  // '2024-13-01' as a date ...": with `errors`, every such error of the record is appended
  // there and the other rules still run (so that a quarantine row lists them all); without, the
  // first is returned.
  // Thread-safe: it changes nothing but `out`, `issues` and `errors`.
  // `plain_numbers` (optional, one per value): 1 where a value is a number in plain notation
  // whatever the mapping's `numbers` format says (a JSON number token), read as such when a
  // rule takes it whole from its column.
  Status Map(const std::vector<std::string>& values,
             const std::vector<std::pair<std::string, std::string>>& extras,
             const RecordContext& context, google::protobuf::Message* out,
             std::vector<MappingIssue>* issues, std::vector<MappingIssue>* errors = nullptr,
             const std::vector<char>* plain_numbers = nullptr) const;

  struct CompiledRule;

  // Bits over the conditional-only columns (below): on the stack, so a record costs nothing.
  static constexpr size_t kMaxConditionalColumns = 256;
  using ConditionalColumns = std::bitset<kMaxConditionalColumns>;

 private:
  Mapper() = default;

  void FillTradeEvent(const std::vector<std::string>& values,
                      const std::vector<std::pair<std::string, std::string>>& extras,
                      const ConditionalColumns& conditional_read, const RecordContext& context,
                      tradeflow::trade::v1::TradeEvent* out) const;
  static Status CheckNoEmptyElements(const tradeflow::trade::v1::TradeEvent& event, bool cleared,
                                     std::string* list);
  // Finds the columns only conditional rules read (conditional_columns_), after compiling.
  void FindConditionalColumns();

  std::string version_;
  const google::protobuf::Descriptor* target_ = nullptr;
  bool is_trade_event_ = false;
  std::unique_ptr<TargetTree> targets_;  // the messages that hold the rules' leaves
  std::vector<std::unique_ptr<CompiledRule>> rules_;
  std::vector<SourceField> source_fields_;
  bool keep_unmapped_ = true;
  bool maps_trade_uid_ = false;
  // Columns only rules with a `when` read (no other rule, no condition): in a record where none
  // of those rules applies, the column's value is kept in source_attributes like an unmapped
  // column's, not lost. A rule's `conditional_bits` marks those it reads (ConditionalColumns:
  // the first kMaxConditionalColumns of them; a mapping reads a few dozen columns).
  std::vector<int> conditional_columns_;
};

}  // namespace tradeflow::transform
