#include "lake/table_metadata.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

namespace tradeflow::lake {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int32_t kFormatVersion = 2;
constexpr int64_t kNoSnapshot = -1;  // "current-snapshot-id" when there is none (Java, v1/v2)
constexpr int kDefaultPreviousVersionsMax = 100;  // Java TableProperties default

// Top-level keys the model owns. The v1 `schema` / `partition-spec` forms are listed so that they
// are dropped rather than carried in `extra`: a v2 writer must not write them.
const std::set<std::string, std::less<>>& KnownTopLevelKeys() {
  static const std::set<std::string, std::less<>> keys = {"format-version",
                                                          "table-uuid",
                                                          "location",
                                                          "last-sequence-number",
                                                          "last-updated-ms",
                                                          "last-column-id",
                                                          "schemas",
                                                          "current-schema-id",
                                                          "partition-specs",
                                                          "default-spec-id",
                                                          "last-partition-id",
                                                          "sort-orders",
                                                          "default-sort-order-id",
                                                          "properties",
                                                          "current-snapshot-id",
                                                          "snapshots",
                                                          "snapshot-log",
                                                          "metadata-log",
                                                          "refs",
                                                          "schema",
                                                          "partition-spec"};
  return keys;
}

// Reads typed fields of one JSON object; errors name the field by its path in the document
// ("snapshots[2].manifest-list") so a broken file can be fixed by hand.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  bool Has(const char* key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }

  Result<const json*> Required(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      return Status::Invalid("missing required field '" + Name(key) + "' (Iceberg v2)");
    }
    return &*it;
  }

  Result<int64_t> Long(const char* key) const {
    TF_ASSIGN_OR_RETURN(const json* value, Required(key));
    return ToLong(*value, key);
  }

  Result<int32_t> Int(const char* key) const {
    TF_ASSIGN_OR_RETURN(int64_t value, Long(key));
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max()) {
      return Status::Invalid("field '" + Name(key) +
                             "' is out of the int range: " + std::to_string(value));
    }
    return static_cast<int32_t>(value);
  }

  Result<std::optional<int64_t>> OptionalLong(const char* key) const {
    if (!Has(key)) return std::optional<int64_t>();
    TF_ASSIGN_OR_RETURN(int64_t value, Long(key));
    return std::optional<int64_t>(value);
  }

  Result<std::string> String(const char* key) const {
    TF_ASSIGN_OR_RETURN(const json* value, Required(key));
    if (!value->is_string()) return WrongType(key, "a string", *value);
    return value->get<std::string>();
  }

  // An array whose elements are objects.
  Result<const json*> ObjectArray(const char* key) const {
    TF_ASSIGN_OR_RETURN(const json* value, Required(key));
    if (!value->is_array()) return WrongType(key, "an array", *value);
    for (size_t i = 0; i < value->size(); ++i) {
      if (!(*value)[i].is_object()) {
        return Status::Invalid("field '" + Name(key) + "[" + std::to_string(i) +
                               "]' must be an object, got " + (*value)[i].type_name());
      }
    }
    return value;
  }

  Result<const json*> Object(const char* key) const {
    TF_ASSIGN_OR_RETURN(const json* value, Required(key));
    if (!value->is_object()) return WrongType(key, "an object", *value);
    return value;
  }

  Result<std::map<std::string, std::string>> StringMap(const char* key) const {
    TF_ASSIGN_OR_RETURN(const json* value, Object(key));
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : value->items()) {
      if (!v.is_string()) {
        return Status::Invalid("field '" + Name(key) + "." + k + "' must be a string, got " +
                               v.type_name());
      }
      out.emplace(k, v.get<std::string>());
    }
    return out;
  }

  std::string Name(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  Result<int64_t> ToLong(const json& value, const char* key) const {
    if (value.is_number_unsigned()) {
      uint64_t u = value.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::Invalid("field '" + Name(key) +
                               "' is out of the long range: " + std::to_string(u));
      }
      return static_cast<int64_t>(u);
    }
    if (value.is_number_integer()) return value.get<int64_t>();
    return WrongType(key, "an integer", value);
  }

  Status WrongType(const char* key, const char* expected, const json& value) const {
    return Status::Invalid("field '" + Name(key) + "' must be " + expected + ", got " +
                           value.type_name() + " " + value.dump());
  }

  const json& object_;
  std::string path_;
};

std::string Indexed(const char* array, size_t i) {
  return std::string(array) + "[" + std::to_string(i) + "]";
}

// Reads an array of objects that each carry an int id under `id_key`; returns the objects and
// checks that `wanted_id` is among the ids.
Result<std::vector<json>> ParseIdentifiedObjects(const ObjectReader& top, const char* key,
                                                 const char* id_key, int32_t wanted_id,
                                                 const char* wanted_key) {
  TF_ASSIGN_OR_RETURN(const json* array, top.ObjectArray(key));
  std::vector<json> out;
  bool found = false;
  for (size_t i = 0; i < array->size(); ++i) {
    ObjectReader element((*array)[i], Indexed(key, i));
    TF_ASSIGN_OR_RETURN(int32_t id, element.Int(id_key));
    found = found || id == wanted_id;
    out.push_back((*array)[i]);
  }
  if (!found) {
    return Status::Invalid("field '" + std::string(wanted_key) + "' is " +
                           std::to_string(wanted_id) + " but '" + key + "' has no entry with " +
                           id_key + " " + std::to_string(wanted_id));
  }
  return out;
}

Result<Snapshot> ParseSnapshot(const json& object, const std::string& path) {
  ObjectReader r(object, path);
  Snapshot s;
  TF_ASSIGN_OR_RETURN(s.snapshot_id, r.Long("snapshot-id"));
  TF_ASSIGN_OR_RETURN(s.parent_snapshot_id, r.OptionalLong("parent-snapshot-id"));
  TF_ASSIGN_OR_RETURN(s.sequence_number, r.Long("sequence-number"));
  TF_ASSIGN_OR_RETURN(s.timestamp_ms, r.Long("timestamp-ms"));
  TF_ASSIGN_OR_RETURN(s.manifest_list, r.String("manifest-list"));
  TF_ASSIGN_OR_RETURN(s.summary, r.StringMap("summary"));
  if (!s.summary.contains("operation")) {
    return Status::Invalid("missing required field '" + r.Name("summary") +
                           ".operation' (Iceberg v2)");
  }
  if (r.Has("schema-id")) {
    TF_ASSIGN_OR_RETURN(int32_t schema_id, r.Int("schema-id"));
    s.schema_id = schema_id;
  }
  return s;
}

Status ParseInto(const json& doc, TableMetadata& md) {
  if (!doc.is_object()) {
    return Status::Invalid(std::string("table metadata must be a JSON object, got ") +
                           doc.type_name());
  }
  ObjectReader r(doc, "");
  TF_ASSIGN_OR_RETURN(md.format_version, r.Int("format-version"));
  if (md.format_version != kFormatVersion) {
    return Status::Invalid("format-version " + std::to_string(md.format_version) +
                           " is not supported: tradeflow reads and writes Iceberg v2 tables only; "
                           "upgrade or recreate the table as format-version 2");
  }
  TF_ASSIGN_OR_RETURN(md.table_uuid, r.String("table-uuid"));
  TF_ASSIGN_OR_RETURN(md.location, r.String("location"));
  TF_ASSIGN_OR_RETURN(md.last_sequence_number, r.Long("last-sequence-number"));
  TF_ASSIGN_OR_RETURN(md.last_updated_ms, r.Long("last-updated-ms"));
  TF_ASSIGN_OR_RETURN(md.last_column_id, r.Int("last-column-id"));
  TF_ASSIGN_OR_RETURN(md.current_schema_id, r.Int("current-schema-id"));
  TF_ASSIGN_OR_RETURN(
      md.schemas,
      ParseIdentifiedObjects(r, "schemas", "schema-id", md.current_schema_id, "current-schema-id"));
  TF_ASSIGN_OR_RETURN(md.default_spec_id, r.Int("default-spec-id"));
  TF_ASSIGN_OR_RETURN(md.partition_specs,
                      ParseIdentifiedObjects(r, "partition-specs", "spec-id", md.default_spec_id,
                                             "default-spec-id"));
  TF_ASSIGN_OR_RETURN(md.last_partition_id, r.Int("last-partition-id"));
  TF_ASSIGN_OR_RETURN(md.default_sort_order_id, r.Int("default-sort-order-id"));
  TF_ASSIGN_OR_RETURN(md.sort_orders,
                      ParseIdentifiedObjects(r, "sort-orders", "order-id", md.default_sort_order_id,
                                             "default-sort-order-id"));
  if (r.Has("properties")) {
    TF_ASSIGN_OR_RETURN(md.properties, r.StringMap("properties"));
  }

  TF_ASSIGN_OR_RETURN(std::optional<int64_t> current, r.OptionalLong("current-snapshot-id"));
  if (current.has_value() && *current != kNoSnapshot) md.current_snapshot_id = current;

  if (r.Has("snapshots")) {
    TF_ASSIGN_OR_RETURN(const json* array, r.ObjectArray("snapshots"));
    for (size_t i = 0; i < array->size(); ++i) {
      TF_ASSIGN_OR_RETURN(Snapshot s, ParseSnapshot((*array)[i], Indexed("snapshots", i)));
      md.snapshots.push_back(std::move(s));
    }
  }
  if (r.Has("snapshot-log")) {
    TF_ASSIGN_OR_RETURN(const json* array, r.ObjectArray("snapshot-log"));
    for (size_t i = 0; i < array->size(); ++i) {
      ObjectReader e((*array)[i], Indexed("snapshot-log", i));
      SnapshotLogEntry entry;
      TF_ASSIGN_OR_RETURN(entry.timestamp_ms, e.Long("timestamp-ms"));
      TF_ASSIGN_OR_RETURN(entry.snapshot_id, e.Long("snapshot-id"));
      md.snapshot_log.push_back(entry);
    }
  }
  if (r.Has("metadata-log")) {
    TF_ASSIGN_OR_RETURN(const json* array, r.ObjectArray("metadata-log"));
    for (size_t i = 0; i < array->size(); ++i) {
      ObjectReader e((*array)[i], Indexed("metadata-log", i));
      MetadataLogEntry entry;
      TF_ASSIGN_OR_RETURN(entry.timestamp_ms, e.Long("timestamp-ms"));
      TF_ASSIGN_OR_RETURN(entry.metadata_file, e.String("metadata-file"));
      md.metadata_log.push_back(std::move(entry));
    }
  }
  if (r.Has("refs")) {
    TF_ASSIGN_OR_RETURN(const json* refs, r.Object("refs"));
    md.refs = *refs;
    // The spec requires refs.main and current-snapshot-id to agree; Java takes main when
    // current-snapshot-id is absent.
    if (md.refs.contains("main")) {
      if (!md.refs["main"].is_object()) {
        return Status::Invalid(std::string("field 'refs.main' must be an object, got ") +
                               md.refs["main"].type_name());
      }
      ObjectReader main(md.refs["main"], "refs.main");
      TF_ASSIGN_OR_RETURN(int64_t main_id, main.Long("snapshot-id"));
      if (!md.current_snapshot_id.has_value()) {
        md.current_snapshot_id = main_id;
      } else if (*md.current_snapshot_id != main_id) {
        return Status::Invalid("current-snapshot-id " + std::to_string(*md.current_snapshot_id) +
                               " differs from refs.main.snapshot-id " + std::to_string(main_id));
      }
    }
  }
  if (md.current_snapshot_id.has_value() && FindSnapshot(md, *md.current_snapshot_id) == nullptr) {
    return Status::Invalid("current snapshot " + std::to_string(*md.current_snapshot_id) +
                           " is not among 'snapshots'");
  }
  for (const auto& [key, value] : doc.items()) {
    if (!KnownTopLevelKeys().contains(key)) md.extra[key] = value;
  }
  return Status::OK();
}

ordered_json SnapshotToJson(const Snapshot& s) {
  ordered_json out;
  out["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id.has_value()) out["parent-snapshot-id"] = *s.parent_snapshot_id;
  out["sequence-number"] = s.sequence_number;
  out["timestamp-ms"] = s.timestamp_ms;
  out["manifest-list"] = s.manifest_list;
  out["summary"] = s.summary;
  if (s.schema_id.has_value()) out["schema-id"] = *s.schema_id;
  return out;
}

int32_t MaxId(const std::vector<json>& objects, const char* id_key) {
  int32_t max_id = -1;
  for (const json& o : objects) {
    auto it = o.find(id_key);
    if (it != o.end() && it->is_number_integer()) max_id = std::max(max_id, it->get<int32_t>());
  }
  return max_id;
}

void FillRandom(uint8_t* bytes, size_t size) {
  // getrandom() draws from the kernel, so forked processes never repeat each other's ids (a
  // user-space generator seeded once would be copied by fork()).
  size_t filled = 0;
  while (filled < size) {
    ssize_t n = getrandom(bytes + filled, size - filled, 0);
    if (n > 0) {
      filled += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (filled < size) {  // very old kernel: fall back to the library's entropy source
    std::random_device device;
    for (size_t i = filled; i < size; ++i) bytes[i] = static_cast<uint8_t>(device());
  }
}

std::array<uint8_t, 16> RandomUuidBytes() {
  std::array<uint8_t, 16> b;
  FillRandom(b.data(), b.size());
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // IETF variant
  return b;
}

}  // namespace

Result<TableMetadata> ParseTableMetadata(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("table metadata is not valid JSON: ") + e.what());
  }
  TableMetadata md;
  md.refs = json::object();
  md.extra = json::object();
  TF_RETURN_IF_ERROR(ParseInto(doc, md));
  return md;
}

std::string SerializeTableMetadata(const TableMetadata& md) {
  ordered_json out;
  out["format-version"] = kFormatVersion;
  out["table-uuid"] = md.table_uuid;
  out["location"] = md.location;
  out["last-sequence-number"] = md.last_sequence_number;
  out["last-updated-ms"] = md.last_updated_ms;
  out["last-column-id"] = md.last_column_id;
  out["current-schema-id"] = md.current_schema_id;
  out["schemas"] = ordered_json::array();
  for (const json& schema : md.schemas) out["schemas"].push_back(ordered_json(schema));
  out["default-spec-id"] = md.default_spec_id;
  out["partition-specs"] = ordered_json::array();
  for (const json& spec : md.partition_specs) out["partition-specs"].push_back(ordered_json(spec));
  out["last-partition-id"] = md.last_partition_id;
  out["default-sort-order-id"] = md.default_sort_order_id;
  out["sort-orders"] = ordered_json::array();
  for (const json& order : md.sort_orders) out["sort-orders"].push_back(ordered_json(order));
  out["properties"] = md.properties;
  out["current-snapshot-id"] = md.current_snapshot_id.value_or(kNoSnapshot);

  ordered_json refs = md.refs.is_object() ? ordered_json(md.refs) : ordered_json::object();
  if (md.current_snapshot_id.has_value()) {
    // Keep retention settings a main branch may carry; only the pointer and type are ours.
    ordered_json& main = refs["main"];
    if (!main.is_object()) main = ordered_json::object();
    main["snapshot-id"] = *md.current_snapshot_id;
    main["type"] = "branch";
  } else {
    refs.erase("main");
  }
  out["refs"] = std::move(refs);

  out["snapshots"] = ordered_json::array();
  for (const Snapshot& s : md.snapshots) out["snapshots"].push_back(SnapshotToJson(s));
  out["snapshot-log"] = ordered_json::array();
  for (const SnapshotLogEntry& e : md.snapshot_log) {
    out["snapshot-log"].push_back(
        {{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
  }
  out["metadata-log"] = ordered_json::array();
  for (const MetadataLogEntry& e : md.metadata_log) {
    out["metadata-log"].push_back(
        {{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  }
  if (md.extra.is_object()) {
    for (const auto& [key, value] : md.extra.items()) {
      if (!KnownTopLevelKeys().contains(key)) out[key] = ordered_json(value);
    }
  }
  return out.dump(2);
}

TableMetadata NewTableMetadata(std::string location, json schema, int32_t last_column_id,
                               json partition_spec, int32_t last_partition_id,
                               std::map<std::string, std::string> properties) {
  // Java and pyiceberg strip the trailing '/', so "<location>/metadata" has no double slash.
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  if (!schema.contains("type")) schema["type"] = "struct";
  schema["schema-id"] = 0;
  partition_spec["spec-id"] = 0;
  if (!partition_spec.contains("fields")) partition_spec["fields"] = json::array();

  TableMetadata md;
  md.format_version = kFormatVersion;
  md.table_uuid = NewUuid();
  md.location = std::move(location);
  md.last_sequence_number = 0;
  md.last_updated_ms = CurrentTimeMs();
  md.last_column_id = last_column_id;
  md.schemas.push_back(std::move(schema));
  md.current_schema_id = 0;
  md.partition_specs.push_back(std::move(partition_spec));
  md.default_spec_id = 0;
  md.last_partition_id = last_partition_id;
  md.sort_orders.push_back({{"order-id", 0}, {"fields", json::array()}});
  md.default_sort_order_id = 0;
  md.properties = std::move(properties);
  return md;
}

void AddSnapshot(TableMetadata& md, Snapshot snapshot, int64_t now_ms) {
  if (!snapshot.schema_id.has_value()) snapshot.schema_id = md.current_schema_id;
  md.last_sequence_number = std::max(md.last_sequence_number, snapshot.sequence_number);
  md.current_snapshot_id = snapshot.snapshot_id;
  md.refs["main"] = {{"snapshot-id", snapshot.snapshot_id}, {"type", "branch"}};
  md.snapshot_log.push_back({snapshot.timestamp_ms, snapshot.snapshot_id});
  md.last_updated_ms = now_ms;
  md.snapshots.push_back(std::move(snapshot));
}

void RecordPreviousMetadataFile(TableMetadata& md, const std::string& previous_location,
                                int64_t timestamp_ms) {
  md.metadata_log.push_back({timestamp_ms, previous_location});
  int max_entries = kDefaultPreviousVersionsMax;
  auto it = md.properties.find("write.metadata.previous-versions-max");
  if (it != md.properties.end()) {
    int parsed = 0;
    const char* end = it->second.data() + it->second.size();
    auto [ptr, ec] = std::from_chars(it->second.data(), end, parsed);
    if (ec == std::errc() && ptr == end) max_entries = std::max(1, parsed);
  }
  if (md.metadata_log.size() > static_cast<size_t>(max_entries)) {
    md.metadata_log.erase(md.metadata_log.begin(), md.metadata_log.end() - max_entries);
  }
}

namespace {

Result<json> MergeTypes(const std::string& name, const json& table_type, const json& written_type);

// "decimal(9, 2)" → {9, 2}; nullopt for another type.
std::optional<std::pair<int, int>> DecimalOf(const json& type) {
  int precision = 0, scale = 0;
  if (!type.is_string() ||
      std::sscanf(type.get<std::string>().c_str(), "decimal(%d, %d)", &precision, &scale) != 2) {
    return std::nullopt;
  }
  return std::pair{precision, scale};
}

// Whether values written as `written` read as `table`: the same type, or one Iceberg promotes
// to it (int → long, float → double, a decimal to one of more precision and the same scale).
bool ReadsAs(const json& written, const json& table) {
  if (written == table) return true;
  if (written == "int" && table == "long") return true;
  if (written == "float" && table == "double") return true;
  auto w = DecimalOf(written), t = DecimalOf(table);
  return w && t && w->second == t->second && w->first <= t->first;
}

// The struct fields of `table_fields` merged with those of `written_fields` of the same id, then
// the written fields the table lacks.
Result<json> MergeFields(const json& table_fields, const json& written_fields) {
  std::map<int64_t, const json*> written_by_id;
  for (const json& f : written_fields) written_by_id[f.value("id", int64_t{-1})] = &f;
  json out = json::array();
  std::set<int64_t> seen;
  for (const json& f : table_fields) {
    const int64_t id = f.value("id", int64_t{-1});
    seen.insert(id);
    auto w = written_by_id.find(id);
    json merged = f;
    if (w != written_by_id.end()) {
      if (w->second->value("name", "") != f.value("name", "")) {
        return Status::Invalid("field id " + std::to_string(id) + " is '" + f.value("name", "") +
                               "' in the table's schema but '" + w->second->value("name", "") +
                               "' in the rows written: another writer changed the schema "
                               "meanwhile; run again");
      }
      if (f.contains("type") && w->second->contains("type")) {
        TF_ASSIGN_OR_RETURN(merged["type"],
                            MergeTypes(f.value("name", ""), f["type"], (*w->second)["type"]));
      }
    }
    out.push_back(std::move(merged));
  }
  for (const json& f : written_fields) {
    if (!seen.count(f.value("id", int64_t{-1}))) out.push_back(f);
  }
  return out;
}

Result<json> MergeTypes(const std::string& name, const json& table_type, const json& written_type) {
  const std::string kind = table_type.is_object() ? table_type.value("type", "") : "";
  const std::string written_kind = written_type.is_object() ? written_type.value("type", "") : "";
  if (kind.empty() && written_kind.empty() && ReadsAs(written_type, table_type)) {
    return table_type;  // primitives: the table's, a promotion another writer made included
  }
  if (kind.empty() || kind != written_kind) {
    // Files whose values the table's type cannot read would make every scan of it fail.
    return Status::Invalid("column '" + name + "' is " + table_type.dump() +
                           " in the table's schema but the rows written hold " +
                           written_type.dump() +
                           ": another writer changed its type (or dropped it and added another "
                           "of the same name); give it back its type, or write to another table");
  }
  json out = table_type;
  if (kind == "struct" && table_type.contains("fields") && written_type.contains("fields")) {
    TF_ASSIGN_OR_RETURN(out["fields"], MergeFields(table_type["fields"], written_type["fields"]));
  } else if (kind == "list" && table_type.contains("element") && written_type.contains("element")) {
    TF_ASSIGN_OR_RETURN(out["element"], MergeTypes(name + ".element", table_type["element"],
                                                   written_type["element"]));
  } else if (kind == "map" && table_type.contains("key") && written_type.contains("key") &&
             table_type.contains("value") && written_type.contains("value")) {
    TF_ASSIGN_OR_RETURN(out["key"],
                        MergeTypes(name + ".key", table_type["key"], written_type["key"]));
    TF_ASSIGN_OR_RETURN(out["value"],
                        MergeTypes(name + ".value", table_type["value"], written_type["value"]));
  }
  return out;
}

}  // namespace

Result<json> MergeSchemas(const json& table_schema, const json& written) {
  json out = table_schema;
  out.erase("schema-id");
  TF_ASSIGN_OR_RETURN(out["fields"], MergeFields(table_schema.value("fields", json::array()),
                                                 written.value("fields", json::array())));
  return out;
}

void SetCurrentSchema(TableMetadata& md, json schema, int32_t last_column_id) {
  md.last_column_id = std::max(md.last_column_id, last_column_id);
  const json no_fields = json::array();
  const json& fields = schema.contains("fields") ? schema["fields"] : no_fields;
  const json& ids =
      schema.contains("identifier-field-ids") ? schema["identifier-field-ids"] : no_fields;
  for (const json& existing : md.schemas) {
    const json& existing_fields = existing.contains("fields") ? existing["fields"] : no_fields;
    const json& existing_ids =
        existing.contains("identifier-field-ids") ? existing["identifier-field-ids"] : no_fields;
    if (existing_fields == fields && existing_ids == ids && existing.contains("schema-id")) {
      md.current_schema_id = existing["schema-id"].get<int32_t>();
      return;
    }
  }
  int32_t id = MaxId(md.schemas, "schema-id") + 1;
  if (!schema.contains("type")) schema["type"] = "struct";
  schema["schema-id"] = id;
  md.schemas.push_back(std::move(schema));
  md.current_schema_id = id;
}

const Snapshot* CurrentSnapshot(const TableMetadata& md) {
  return md.current_snapshot_id.has_value() ? FindSnapshot(md, *md.current_snapshot_id) : nullptr;
}

const Snapshot* FindSnapshot(const TableMetadata& md, int64_t id) {
  for (const Snapshot& s : md.snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

TableMetadata CurrentLineage(const TableMetadata& md) {
  std::map<int64_t, std::optional<int64_t>> parents;
  for (const Snapshot& s : md.snapshots) parents[s.snapshot_id] = s.parent_snapshot_id;
  std::set<int64_t> lineage;
  std::optional<int64_t> id = md.current_snapshot_id;
  while (id) {
    auto it = parents.find(*id);
    if (it == parents.end() || !lineage.insert(*id).second) break;  // expired, or a cycle
    id = it->second;
  }
  TableMetadata out = md;
  std::erase_if(out.snapshots, [&](const Snapshot& s) { return !lineage.count(s.snapshot_id); });
  return out;
}

const json* CurrentSchema(const TableMetadata& md) {
  for (const json& s : md.schemas) {
    auto it = s.find("schema-id");
    if (it != s.end() && *it == md.current_schema_id) return &s;
  }
  return nullptr;
}

const json* DefaultPartitionSpec(const TableMetadata& md) {
  for (const json& s : md.partition_specs) {
    auto it = s.find("spec-id");
    if (it != s.end() && *it == md.default_spec_id) return &s;
  }
  return nullptr;
}

std::string NewUuid() {
  std::array<uint8_t, 16> b = RandomUuidBytes();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

int64_t NewSnapshotId() {
  while (true) {
    std::array<uint8_t, 16> b = RandomUuidBytes();
    uint64_t high = 0;
    uint64_t low = 0;
    for (size_t i = 0; i < 8; ++i) {
      high = (high << 8) | b[i];
      low = (low << 8) | b[i + 8];
    }
    auto id = static_cast<int64_t>((high ^ low) & static_cast<uint64_t>(INT64_MAX));
    if (id != 0) return id;  // 0 has probability 2^-63, but ids must be positive
  }
}

int64_t CurrentTimeMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string MetadataFileName(int32_t version) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%05d", version);
  return std::string(prefix) + "-" + NewUuid() + ".metadata.json";
}

int32_t MetadataVersionFromLocation(std::string_view location) {
  size_t slash = location.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? location : location.substr(slash + 1);
  size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0) return -1;
  int32_t version = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + dash, version);
  if (ec != std::errc() || ptr != name.data() + dash || version < 0) return -1;
  return version;
}

}  // namespace tradeflow::lake
