#include "lake/manifest_partition.h"

#include <nlohmann/json.hpp>
#include <type_traits>

namespace tradeflow::lake {

namespace {

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return out;
}

// Index of the PartitionValue alternative each type must use.
size_t ExpectedAlternative(PartitionValueType type) {
  switch (type) {
    case PartitionValueType::kInt:
    case PartitionValueType::kDate:
      return 0;
    case PartitionValueType::kLong:
      return 1;
    case PartitionValueType::kString:
      return 2;
    case PartitionValueType::kBoolean:
      return 3;
  }
  return 0;
}

constexpr std::string_view kAlternativeNames[] = {"int32_t", "int64_t", "string", "bool"};

}  // namespace

std::string_view PartitionValueTypeName(PartitionValueType type) {
  switch (type) {
    case PartitionValueType::kBoolean:
      return "boolean";
    case PartitionValueType::kInt:
      return "int";
    case PartitionValueType::kLong:
      return "long";
    case PartitionValueType::kDate:
      return "date";
    case PartitionValueType::kString:
      return "string";
  }
  return "unknown";
}

std::string PartitionSpec::FieldsJson() const {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const PartitionField& f : fields) {
    array.push_back({{"name", f.name},
                     {"transform", f.transform},
                     {"source-id", f.source_id},
                     {"field-id", f.field_id}});
  }
  return array.dump();
}

Result<std::vector<PartitionField>> ParsePartitionFieldsJson(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::Invalid("partition-spec is not valid JSON");
  // Some old writers stored the whole spec object rather than just its fields.
  if (parsed.is_object() && parsed.contains("fields")) parsed = parsed["fields"];
  if (!parsed.is_array()) return Status::Invalid("partition-spec is not a JSON array");
  std::vector<PartitionField> fields;
  for (const auto& f : parsed) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
        !f.contains("transform") || !f["transform"].is_string() || !f.contains("source-id") ||
        !f["source-id"].is_number_integer() || !f.contains("field-id") ||
        !f["field-id"].is_number_integer()) {
      return Status::Invalid("partition-spec field lacks name, transform, source-id or field-id: " +
                             f.dump());
    }
    PartitionField field;
    field.name = f["name"].get<std::string>();
    field.transform = f["transform"].get<std::string>();
    field.source_id = f["source-id"].get<int32_t>();
    field.field_id = f["field-id"].get<int32_t>();
    fields.push_back(std::move(field));
  }
  return fields;
}

Status CheckPartitionValue(const PartitionField& field, const PartitionValue& value) {
  if (!value) return Status::OK();
  const size_t want = ExpectedAlternative(field.type);
  if (value->index() == want) return Status::OK();
  return Status::Invalid("partition field '" + field.name + "' of type " +
                         std::string(PartitionValueTypeName(field.type)) + " needs a " +
                         std::string(kAlternativeNames[want]) + " value, got " +
                         std::string(kAlternativeNames[value->index()]));
}

std::string SerializePartitionValue(const PartitionValue& value) {
  struct Visitor {
    std::string operator()(int32_t v) const { return LittleEndian(v); }
    std::string operator()(int64_t v) const { return LittleEndian(v); }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(bool v) const { return std::string(1, v ? '\x01' : '\x00'); }
  };
  return std::visit(Visitor{}, *value);
}

}  // namespace tradeflow::lake
