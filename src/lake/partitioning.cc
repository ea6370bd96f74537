#include "lake/partitioning.h"

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>
#include <arrow/util/key_value_metadata.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "common/arrow_status.h"

namespace tradeflow::lake {
namespace {

using nlohmann::json;

// Finds a column by path in an Iceberg schema JSON: its field id and Iceberg type.
Result<std::pair<int32_t, json>> FindColumn(const json& schema, const std::string& path) {
  const json* fields = &schema.at("fields");
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    const json* found = nullptr;
    for (const auto& f : *fields) {
      if (f.at("name") == part) found = &f;
    }
    if (found == nullptr) return Status::Invalid("partition column '" + path + "' does not exist");
    const json& type = found->at("type");
    if (dot == std::string::npos) return std::make_pair(found->at("id").get<int32_t>(), type);
    if (!type.is_object() || type.value("type", "") != "struct") {
      return Status::Invalid("partition column '" + path + "': '" + part +
                             "' is not a struct (partition sources cannot be inside lists)");
    }
    fields = &type.at("fields");
    start = dot + 1;
  }
}

const json* FindById(const json& fields, int32_t id) {
  for (const auto& f : fields) {
    if (f.at("id") == id) return &f;
    const json& type = f.at("type");
    if (type.is_object() && type.value("type", "") == "struct") {
      if (const json* inner = FindById(type.at("fields"), id)) return inner;
    }
  }
  return nullptr;
}

Result<PartitionValueType> ResultType(const std::string& transform, const json& source_type,
                                      const std::string& column) {
  std::string t = source_type.is_string() ? source_type.get<std::string>() : "nested";
  auto refuse = [&] {
    return Status::Invalid("partition transform '" + transform + "' cannot apply to column '" +
                           column + "' of type " + t);
  };
  if (transform == "identity") {
    if (t == "string") return PartitionValueType::kString;
    if (t == "int") return PartitionValueType::kInt;
    if (t == "long") return PartitionValueType::kLong;
    if (t == "date") return PartitionValueType::kDate;
    if (t == "boolean") return PartitionValueType::kBoolean;
    return refuse();
  }
  bool temporal = t == "date" || t == "timestamp" || t == "timestamptz";
  if (transform == "year" || transform == "month") {
    return temporal ? Result<PartitionValueType>(PartitionValueType::kInt) : refuse();
  }
  if (transform == "day") {
    return temporal ? Result<PartitionValueType>(PartitionValueType::kDate) : refuse();
  }
  if (transform == "hour") {
    return t != "date" && temporal ? Result<PartitionValueType>(PartitionValueType::kInt)
                                   : refuse();
  }
  return Status::Invalid("partition transform '" + transform +
                         "' is not supported (identity, year, month, day, hour)");
}

int32_t FieldIdOf(const arrow::Field& f) {
  if (!f.metadata()) return -1;
  auto v = f.metadata()->Get("PARQUET:field_id");
  return v.ok() ? std::stoi(*v) : -1;
}

bool FindArrowPath(const arrow::FieldVector& fields, int32_t id, std::vector<int>* path) {
  for (int i = 0; i < static_cast<int>(fields.size()); ++i) {
    path->push_back(i);
    if (FieldIdOf(*fields[i]) == id) return true;
    if (fields[i]->type()->id() == arrow::Type::STRUCT &&
        FindArrowPath(fields[i]->type()->fields(), id, path)) {
      return true;
    }
    path->pop_back();
  }
  return false;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since epoch → (year, month) civil.
std::pair<int, unsigned> YearMonth(int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())};
}

// The source value of row `i` of `leaf`, as TransformValue takes it.
PartitionSource SourceValue(const arrow::Array& leaf, int64_t i) {
  if (leaf.IsNull(i)) return std::monostate{};
  switch (leaf.type_id()) {
    case arrow::Type::STRING:
      return static_cast<const arrow::StringArray&>(leaf).GetView(i);
    case arrow::Type::INT32:
      return static_cast<const arrow::Int32Array&>(leaf).Value(i);
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Array&>(leaf).Value(i);
    case arrow::Type::DATE32:
      return static_cast<const arrow::Date32Array&>(leaf).Value(i);
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampArray&>(leaf).Value(i);
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanArray&>(leaf).Value(i);
    default:
      return std::monostate{};
  }
}

}  // namespace

PartitionValue TransformValue(const PartitionField& field, const PartitionSource& source) {
  if (std::holds_alternative<std::monostate>(source)) return std::nullopt;
  const std::string& t = field.transform;
  if (t == "identity") {
    return std::visit(
        [](const auto& v) -> PartitionValue {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return std::nullopt;
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            return std::string(v);
          } else {
            return v;
          }
        },
        source);
  }
  int64_t days = 0, hours = 0;
  if (const int32_t* d = std::get_if<int32_t>(&source)) {
    days = *d;
  } else if (const int64_t* micros = std::get_if<int64_t>(&source)) {
    days = FloorDiv(*micros, 86400LL * 1000000);
    hours = FloorDiv(*micros, 3600LL * 1000000);
  } else {
    return std::nullopt;  // refused when the spec was resolved
  }
  auto [year, month] = YearMonth(days);
  if (t == "year") return static_cast<int32_t>(year - 1970);
  if (t == "month") return static_cast<int32_t>((year - 1970) * 12 + static_cast<int>(month) - 1);
  if (t == "day") return static_cast<int32_t>(days);
  return static_cast<int32_t>(hours);  // hour
}

namespace {

std::string HumanValue(const PartitionField& field, const PartitionValue& value) {
  if (!value) return "null";
  char buf[32];
  if (field.transform == "month") {
    int32_t m = std::get<int32_t>(*value);
    std::snprintf(buf, sizeof buf, "%04d-%02d", 1970 + static_cast<int>(FloorDiv(m, 12)),
                  static_cast<int>(m - FloorDiv(m, 12) * 12) + 1);
    return buf;
  }
  if (field.transform == "year") return std::to_string(1970 + std::get<int32_t>(*value));
  if (field.transform == "hour") {  // as Iceberg's Java writer names it: yyyy-MM-dd-HH
    const int64_t hours = std::get<int32_t>(*value);
    std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{FloorDiv(hours, 24)}}};
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u-%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hours - FloorDiv(hours, 24) * 24));
    return buf;
  }
  if (field.type == PartitionValueType::kDate) {
    std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{std::get<int32_t>(*value)}}};
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
  }
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          std::string out;  // URL-escape what would break a path
          for (unsigned char c : v) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
              out.push_back(static_cast<char>(c));
            } else {
              char hex[4];
              std::snprintf(hex, sizeof hex, "%%%02X", c);
              out += hex;
            }
          }
          return out;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          return std::to_string(v);
        }
      },
      *value);
}

}  // namespace

Status EnsureArrowCompute() {
  static std::once_flag once;
  static arrow::Status status;
  std::call_once(once, [] { status = arrow::compute::Initialize(); });
  return FromArrow(status);
}

// Iceberg's rules for partition field names (the Java PartitionSpec.Builder checks them on every
// spec it reads, so Spark, Trino and Flink could not load a table breaking them): each is used
// once, and none names a column of the schema other than its own source column. And the name
// starts each data folder's name ("<name>=<value>"), which '/', '#' or '?' would break.
Status CheckPartitionName(const json& schema, const PartitionSpec& spec, const PartitionField& f,
                          const std::string& column) {
  const std::string which = "partition field name '" + f.name + "' (of " + column + ")";
  if (f.name.find_first_of("/#?") != std::string::npos) {
    return Status::Invalid(which +
                           " holds '/', '#' or '?', which the data folders' paths and "
                           "URIs cannot hold: pick another name");
  }
  for (const PartitionField& other : spec.fields) {
    if (other.name == f.name) {
      return Status::Invalid(which +
                             " is used twice: give the partitions different names "
                             "(partition_by: {column: ..., name: ...})");
    }
  }
  auto same_name = FindColumn(schema, f.name);
  if (same_name.ok() && same_name->first != f.source_id) {
    return Status::Invalid(which +
                           " is the name of a column of the table, which Iceberg readers "
                           "reject for another column's partition: pick another name");
  }
  return Status::OK();
}

Result<PartitionSpec> ResolvePartitionSpec(const json& schema,
                                           const std::vector<PartitionRequest>& requests,
                                           bool check_names) {
  PartitionSpec spec;
  int32_t next_id = 1000;
  for (const auto& r : requests) {
    TF_ASSIGN_OR_RETURN(auto column, FindColumn(schema, r.column));
    TF_ASSIGN_OR_RETURN(PartitionValueType type, ResultType(r.transform, column.second, r.column));
    PartitionField f;
    f.field_id = next_id++;
    f.source_id = column.first;
    f.transform = r.transform;
    f.type = type;
    std::string leaf = r.column.substr(r.column.rfind('.') + 1);
    f.name = !r.name.empty() ? r.name : r.transform == "identity" ? leaf : leaf + "_" + r.transform;
    if (check_names) TF_RETURN_IF_ERROR(CheckPartitionName(schema, spec, f, r.column));
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

json PartitionSpecJson(const PartitionSpec& spec) {
  return json{{"spec-id", spec.spec_id}, {"fields", json::parse(spec.FieldsJson())}};
}

Result<PartitionSpec> ParsePartitionSpec(const json& spec_json, const json& schema) {
  PartitionSpec spec;
  try {
    spec.spec_id = spec_json.at("spec-id").get<int32_t>();
    for (const auto& f : spec_json.at("fields")) {
      PartitionField field;
      field.field_id = f.at("field-id").get<int32_t>();
      field.source_id = f.at("source-id").get<int32_t>();
      field.name = f.at("name").get<std::string>();
      field.transform = f.at("transform").get<std::string>();
      const json* source = FindById(schema.at("fields"), field.source_id);
      if (source == nullptr) {
        return Status::Invalid("partition field " + field.name + ": source column " +
                               std::to_string(field.source_id) + " is not in the schema");
      }
      TF_ASSIGN_OR_RETURN(field.type, ResultType(field.transform, source->at("type"), field.name));
      spec.fields.push_back(std::move(field));
    }
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("malformed partition spec: ") + e.what());
  }
  return spec;
}

std::string PartitionPath(const PartitionSpec& spec, const std::vector<PartitionValue>& values) {
  std::string out;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    if (i > 0) out += "/";
    out += spec.fields[i].name + "=" + HumanValue(spec.fields[i], values[i]);
  }
  return out;
}

Result<Partitioner> Partitioner::Make(const PartitionSpec& spec, const arrow::Schema& schema) {
  Partitioner p;
  p.spec_ = spec;
  for (const auto& f : spec.fields) {
    Source source;
    if (!FindArrowPath(schema.fields(), f.source_id, &source.path)) {
      return Status::Invalid("partition field " + f.name + ": no column with field id " +
                             std::to_string(f.source_id));
    }
    p.sources_.push_back(std::move(source));
  }
  return p;
}

Result<std::vector<Partitioner::Part>> Partitioner::Split(
    const std::shared_ptr<arrow::RecordBatch>& batch) const {
  std::vector<Part> parts;
  TF_RETURN_IF_ERROR(EnsureArrowCompute());
  if (spec_.fields.empty()) {
    parts.push_back({{}, batch});
    return parts;
  }
  // The leaf array of each source, with the structs above it (a null struct means a null value).
  std::vector<std::vector<std::shared_ptr<arrow::Array>>> chains;
  for (const auto& s : sources_) {
    std::vector<std::shared_ptr<arrow::Array>> chain{batch->column(s.path[0])};
    for (size_t k = 1; k < s.path.size(); ++k) {
      chain.push_back(static_cast<const arrow::StructArray&>(*chain.back()).field(s.path[k]));
    }
    chains.push_back(std::move(chain));
  }
  std::map<std::vector<PartitionValue>, std::vector<int64_t>> groups;
  std::vector<PartitionValue> key(spec_.fields.size());
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    for (size_t f = 0; f < spec_.fields.size(); ++f) {
      bool null_parent = false;
      for (size_t k = 0; k + 1 < chains[f].size(); ++k) null_parent |= chains[f][k]->IsNull(row);
      key[f] = null_parent ? std::nullopt
                           : TransformValue(spec_.fields[f], SourceValue(*chains[f].back(), row));
    }
    groups[key].push_back(row);
  }
  for (auto& [values, rows] : groups) {
    if (rows.size() == static_cast<size_t>(batch->num_rows())) {
      parts.push_back({values, batch});
      continue;
    }
    arrow::Int64Builder indices;
    TF_RETURN_IF_ARROW_ERROR(indices.AppendValues(rows));
    TF_ASSIGN_OR_RETURN_ARROW(auto index_array, indices.Finish());
    TF_ASSIGN_OR_RETURN_ARROW(auto taken, arrow::compute::Take(batch, index_array));
    parts.push_back({values, taken.record_batch()});
  }
  return parts;
}

}  // namespace tradeflow::lake
