#include "lake/iceberg_schema.h"

#include <arrow/util/key_value_metadata.h>

namespace tradeflow::lake {
namespace {

using nlohmann::json;

Result<int32_t> IdOf(const arrow::Field& field) {
  if (field.metadata()) {
    auto found = field.metadata()->Get("PARQUET:field_id");
    if (found.ok()) return std::stoi(*found);
  }
  return Status::Invalid("Arrow field '" + field.name() + "' has no PARQUET:field_id");
}

Result<json> TypeJson(const arrow::DataType& type);

Result<json> FieldJson(const arrow::Field& field) {
  TF_ASSIGN_OR_RETURN(int32_t id, IdOf(field));
  auto type = TypeJson(*field.type());
  if (!type.ok()) return type.status().WithContext("field '" + field.name() + "'");
  return json{{"id", id},
              {"name", field.name()},
              {"required", !field.nullable()},
              {"type", std::move(*type)}};
}

Result<json> TypeJson(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      json fields = json::array();
      for (const auto& f : type.fields()) {
        TF_ASSIGN_OR_RETURN(json fj, FieldJson(*f));
        fields.push_back(std::move(fj));
      }
      return json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    case arrow::Type::LIST: {
      const auto& element = *type.field(0);
      TF_ASSIGN_OR_RETURN(int32_t id, IdOf(element));
      TF_ASSIGN_OR_RETURN(json et, TypeJson(*element.type()));
      return json{{"type", "list"},
                  {"element-id", id},
                  {"element-required", !element.nullable()},
                  {"element", std::move(et)}};
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      TF_ASSIGN_OR_RETURN(int32_t key_id, IdOf(*map.key_field()));
      TF_ASSIGN_OR_RETURN(int32_t value_id, IdOf(*map.item_field()));
      TF_ASSIGN_OR_RETURN(json kt, TypeJson(*map.key_type()));
      TF_ASSIGN_OR_RETURN(json vt, TypeJson(*map.item_type()));
      return json{{"type", "map"},
                  {"key-id", key_id},
                  {"key", std::move(kt)},
                  {"value-id", value_id},
                  {"value-required", !map.item_field()->nullable()},
                  {"value", std::move(vt)}};
    }
    default: {
      TF_ASSIGN_OR_RETURN(std::string name, IcebergPrimitiveType(type));
      return json(name);
    }
  }
}

void CollectIds(const json& type, const std::string& prefix, IcebergFieldIds* out);

void Record(const std::string& path, int32_t id, IcebergFieldIds* out) {
  out->by_path[path] = id;
  out->max_id = std::max(out->max_id, id);
}

void CollectIds(const json& type, const std::string& prefix, IcebergFieldIds* out) {
  if (!type.is_object()) return;
  const std::string kind = type.value("type", "");
  auto join = [&](const std::string& name) { return prefix.empty() ? name : prefix + "." + name; };
  if (kind == "struct") {
    for (const auto& f : type.at("fields")) {
      std::string path = join(f.at("name").get<std::string>());
      Record(path, f.at("id").get<int32_t>(), out);
      CollectIds(f.at("type"), path, out);
    }
  } else if (kind == "list") {
    Record(join("element"), type.at("element-id").get<int32_t>(), out);
    CollectIds(type.at("element"), join("element"), out);
  } else if (kind == "map") {
    Record(join("key"), type.at("key-id").get<int32_t>(), out);
    Record(join("value"), type.at("value-id").get<int32_t>(), out);
    CollectIds(type.at("key"), join("key"), out);
    CollectIds(type.at("value"), join("value"), out);
  }
}

}  // namespace

Result<std::string> IcebergPrimitiveType(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRING:
      return std::string("string");
    case arrow::Type::BINARY:
      return std::string("binary");
    case arrow::Type::BOOL:
      return std::string("boolean");
    case arrow::Type::INT32:
      return std::string("int");
    case arrow::Type::INT64:
      return std::string("long");
    case arrow::Type::FLOAT:
      return std::string("float");
    case arrow::Type::DOUBLE:
      return std::string("double");
    case arrow::Type::DATE32:
      return std::string("date");
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Type&>(type);
      return "decimal(" + std::to_string(d.precision()) + ", " + std::to_string(d.scale()) + ")";
    }
    case arrow::Type::TIMESTAMP: {
      const auto& t = static_cast<const arrow::TimestampType&>(type);
      if (t.unit() != arrow::TimeUnit::MICRO) {
        return Status::Invalid("Iceberg v2 timestamps are microseconds, got " + type.ToString());
      }
      return std::string(t.timezone().empty() ? "timestamp" : "timestamptz");
    }
    default:
      return Status::Invalid("Arrow type " + type.ToString() + " has no Iceberg equivalent here");
  }
}

Result<json> IcebergSchemaFromArrow(const arrow::Schema& schema, int32_t schema_id) {
  json fields = json::array();
  for (const auto& f : schema.fields()) {
    TF_ASSIGN_OR_RETURN(json fj, FieldJson(*f));
    fields.push_back(std::move(fj));
  }
  return json{{"type", "struct"}, {"schema-id", schema_id}, {"fields", std::move(fields)}};
}

Result<IcebergFieldIds> FieldIdsOfIcebergSchema(const json& schema) {
  IcebergFieldIds out;
  try {
    CollectIds(schema, "", &out);
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("malformed Iceberg schema: ") + e.what());
  }
  return out;
}

}  // namespace tradeflow::lake
