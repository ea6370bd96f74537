// Iceberg partition specs and partition values as manifests store them.
//
// A partition value is the *transformed* value (day number, bucket, identity value), typed by
// the transform's result type; it lives only in metadata (data_file.partition in manifests, and
// as min/max summaries in manifest lists), never in the data files' paths as far as readers are
// concerned. Computing the transforms is not this file's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake {

// Result types of partition transforms that tradeflow supports. Each maps to one Avro type in
// the manifest and one C++ alternative of PartitionValue:
//   kBoolean  boolean                          bool
//   kInt      int (bucket, year, month, hour)  int32_t
//   kLong     long                             int64_t
//   kDate     int + logicalType date (day)     int32_t, days since 1970-01-01
//   kString   string                           std::string
enum class PartitionValueType { kBoolean, kInt, kLong, kDate, kString };

std::string_view PartitionValueTypeName(PartitionValueType type);

struct PartitionField {
  int32_t field_id = 0;   // partition field id, >= 1000 by convention; unique across specs
  int32_t source_id = 0;  // id of the table column the transform reads
  std::string name;       // e.g. "ts_day"
  std::string transform;  // "identity", "day", "bucket[16]", ...
  PartitionValueType type = PartitionValueType::kInt;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;  // empty = unpartitioned

  // The JSON array of fields that manifests carry in their "partition-spec" header, e.g.
  // [{"name":"ts_day","transform":"day","source-id":3,"field-id":1000}].
  std::string FieldsJson() const;
};

// Parses a "partition-spec" header (the fields array). Field types are not in the JSON; they are
// left as kInt for the caller to fill in from the manifest's Avro schema.
Result<std::vector<PartitionField>> ParsePartitionFieldsJson(std::string_view json);

// One partition value; std::nullopt is a null partition value.
using PartitionValue = std::optional<std::variant<int32_t, int64_t, std::string, bool>>;

// OK if `value` is null or holds the C++ alternative that `field.type` calls for.
Status CheckPartitionValue(const PartitionField& field, const PartitionValue& value);

// Iceberg's single-value binary serialization (spec Appendix D) of a non-null value: int and
// date 4-byte little-endian, long 8-byte little-endian, string its UTF-8 bytes, boolean one byte.
// REQUIRES: value has a value.
std::string SerializePartitionValue(const PartitionValue& value);

}  // namespace tradeflow::lake
