// The interface every record source implements (CSV, JSON Lines, FIXML, later Kafka), so that
// one mapping and one run loop serve them all.
//
// A source is first bound to the fields the mapping reads, by the names the mapping uses (a CSV
// column name, a JSON path such as "trade.price.value", a FIXML path). Each record then carries
// those values in that order, plus every other field it has as `extras`, so that nothing from a
// source is ever dropped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tradeflow::sources {

// A field the mapping reads, and where the mapping asks for it (for error messages).
struct FieldRef {
  std::string name;
  std::string where;  // "etrm.yaml:31"
};

struct SourceRecord {
  std::vector<std::string> values;  // one per bound field; empty when the record lacks it
  // Per bound field, 1 when its value is a number in plain notation whatever the source's
  // number format (a JSON number token): `numbers:` separators do not apply to it. Empty when
  // the source has no such values (CSV).
  std::vector<char> plain_numbers;
  std::vector<std::pair<std::string, std::string>> extras;  // non-empty fields not bound
  int64_t line = 0;         // 1-based line where the record starts (0 if none)
  int64_t byte_offset = 0;  // offset of its first byte in the (decompressed) input
  std::string location;     // human-readable: "line 17", "TrdCaptRpt 3 leg 2"
  std::string raw;          // the record as read, for quarantine
  // Records that are stored together or not at all: the legs of one multi-leg report, one
  // record each. They come one after another; `group_index` counts them from 0. A record on
  // its own is a group of 1.
  int32_t group_size = 1;
  int32_t group_index = 0;
  // A record that could not be parsed because a stray quote took in the lines after its first:
  // how many (CSV), so that max_bad_records can count them. 0 otherwise.
  int64_t swallowed_lines = 0;

  void Clear() {
    values.clear();
    plain_numbers.clear();
    extras.clear();
    line = byte_offset = 0;
    location.clear();
    raw.clear();
    group_size = 1;
    group_index = 0;
    swallowed_lines = 0;
  }
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Binds the fields records will carry. Sources with a fixed set of fields (CSV columns) return
  // Invalid for a name they do not have, prefixed by its `where` and listing what they have.
  virtual Status Bind(const std::vector<FieldRef>& fields) = 0;

  // Reads the next record; false at the end. A record that cannot be parsed gives Invalid naming
  // "<input>:<location>" and what is wrong, with out->raw/line/location filled; the source is
  // then positioned after it, so the caller can quarantine it and go on. Any other error
  // (IOError: a failed read, a truncated or corrupt .gz/.zst) means the rest of the input is
  // lost: the caller must stop, not go on.
  virtual Result<bool> Next(SourceRecord* out) = 0;

  // Bytes consumed so far from the underlying file (compressed bytes for .gz/.zst), for progress.
  virtual int64_t bytes_read() const = 0;

  // The bound fields no record read so far had at all (JSON Lines: no record had the key, even
  // null or empty), most likely misspelt in the mapping. Empty for sources whose records always
  // have every field (CSV's columns are checked at its header).
  virtual std::vector<std::string> FieldsNeverPresent() const { return {}; }
};

}  // namespace tradeflow::sources
