// Avro helpers shared by the manifest and manifest-list code (internal to src/lake).
//
// Writing: Iceberg's only union is ["null", T], so optional values are written as branch 0
// (null) or branch 1 followed by the value, and maps with int keys as arrays of key/value
// records (logicalType "map").
//
// Reading: fields are found by Iceberg field id first and by name second. Ids are what Iceberg
// readers bind by, and names have changed over time (e.g. added_data_files_count became
// added_files_count), so files from older Java or pyiceberg writers still read correctly.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/avro/encoder.h"
#include "lake/avro/value.h"

namespace tradeflow::lake::internal {

// --- schema JSON building (insertion-ordered, so the output reads like Java's) ---

using OJson = nlohmann::ordered_json;

// {"name":..,"type":..,"field-id":..}
OJson RequiredField(std::string_view name, OJson type, int32_t field_id);
// {"name":..,"type":["null",type],"default":null,"field-id":..}
OJson OptionalField(std::string_view name, OJson type, int32_t field_id);
// {"type":"array","items":..,"element-id":..}
OJson ListType(OJson element, int32_t element_id);
// Array of records k<key_id>_v<value_id> with logicalType map: Iceberg's map with int keys.
OJson IntKeyMapType(OJson value_type, int32_t key_id, int32_t value_id);

// --- encoding ---

void WriteOptionalLong(avro::Encoder& e, const std::optional<int64_t>& v);
void WriteOptionalInt(avro::Encoder& e, const std::optional<int32_t>& v);
void WriteOptionalBool(avro::Encoder& e, const std::optional<bool>& v);
void WriteOptionalBytes(avro::Encoder& e, const std::optional<std::string>& v);
// Empty maps and lists are written as null, as Java does for absent metrics.
void WriteOptionalIntLongMap(avro::Encoder& e, const std::map<int32_t, int64_t>& m);
void WriteOptionalIntBytesMap(avro::Encoder& e, const std::map<int32_t, std::string>& m);
void WriteOptionalLongList(avro::Encoder& e, const std::vector<int64_t>& v);
void WriteOptionalIntList(avro::Encoder& e, const std::vector<int32_t>& v);

// --- decoding ---

struct FieldRef {
  int32_t id;
  std::string_view name;
};

// The field of `record` with id f.id, else the one named f.name, else nullptr.
const avro::Value* FindField(const avro::Value& record, FieldRef f);

// Required fields: Invalid when missing or null. Messages name the field.
Result<int64_t> GetLong(const avro::Value& record, FieldRef f);
Result<int32_t> GetInt(const avro::Value& record, FieldRef f);
Result<std::string> GetString(const avro::Value& record, FieldRef f);

// Optional fields: missing or null gives nullopt (or `fallback`).
Result<std::optional<int64_t>> GetOptionalLong(const avro::Value& record, FieldRef f);
Result<std::optional<int32_t>> GetOptionalInt(const avro::Value& record, FieldRef f);
Result<std::optional<bool>> GetOptionalBool(const avro::Value& record, FieldRef f);
Result<std::optional<std::string>> GetOptionalBytes(const avro::Value& record, FieldRef f);
Result<std::optional<std::string>> GetOptionalString(const avro::Value& record, FieldRef f);
Result<int64_t> GetLongOr(const avro::Value& record, FieldRef f, int64_t fallback);
Result<int32_t> GetIntOr(const avro::Value& record, FieldRef f, int32_t fallback);

// Iceberg maps with int keys: an array of {key, value} records, or an Avro map whose string keys
// are decimal ints. Missing or null gives an empty map.
Result<std::map<int32_t, int64_t>> GetIntLongMap(const avro::Value& record, FieldRef f);
Result<std::map<int32_t, std::string>> GetIntBytesMap(const avro::Value& record, FieldRef f);
Result<std::vector<int64_t>> GetLongList(const avro::Value& record, FieldRef f);
Result<std::vector<int32_t>> GetIntList(const avro::Value& record, FieldRef f);

}  // namespace tradeflow::lake::internal
