#include "lake/manifest.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/avro/container.h"
#include "lake/avro/reader.h"
#include "lake/file_io.h"
#include "lake/manifest_avro.h"

namespace tradeflow::lake {

void RemoveDataFiles(const std::vector<DataFile>& files) {
  for (const DataFile& file : files) {
    auto path = LocalPathFromUri(file.file_path);
    if (path.ok()) (void)RemoveFileIfExists(*path);
  }
}

namespace {

using internal::FieldRef;
using internal::OJson;

// manifest_entry
constexpr FieldRef kStatus{0, "status"};
constexpr FieldRef kSnapshotId{1, "snapshot_id"};
constexpr FieldRef kSequenceNumber{3, "sequence_number"};
constexpr FieldRef kFileSequenceNumber{4, "file_sequence_number"};
constexpr FieldRef kDataFile{2, "data_file"};
// data_file (r2)
constexpr FieldRef kContent{134, "content"};
constexpr FieldRef kFilePath{100, "file_path"};
constexpr FieldRef kFileFormat{101, "file_format"};
constexpr FieldRef kPartition{102, "partition"};
constexpr FieldRef kRecordCount{103, "record_count"};
constexpr FieldRef kFileSizeInBytes{104, "file_size_in_bytes"};
constexpr FieldRef kColumnSizes{108, "column_sizes"};
constexpr FieldRef kValueCounts{109, "value_counts"};
constexpr FieldRef kNullValueCounts{110, "null_value_counts"};
constexpr FieldRef kNanValueCounts{137, "nan_value_counts"};
constexpr FieldRef kLowerBounds{125, "lower_bounds"};
constexpr FieldRef kUpperBounds{128, "upper_bounds"};
constexpr FieldRef kKeyMetadata{131, "key_metadata"};
constexpr FieldRef kSplitOffsets{132, "split_offsets"};
constexpr FieldRef kEqualityIds{135, "equality_ids"};
constexpr FieldRef kSortOrderId{140, "sort_order_id"};
constexpr FieldRef kReferencedDataFile{143, "referenced_data_file"};

OJson PartitionAvroType(PartitionValueType type) {
  // Dates are ints with a logical type in Avro; the other types keep their Iceberg names.
  if (type == PartitionValueType::kDate) return OJson{{"type", "int"}, {"logicalType", "date"}};
  return std::string(PartitionValueTypeName(type));
}

Status ValidateSpec(const PartitionSpec& spec) {
  std::set<int32_t> ids;
  std::set<std::string> names;
  for (const PartitionField& f : spec.fields) {
    if (f.name.empty()) return Status::Invalid("partition field without a name");
    if (!ids.insert(f.field_id).second) {
      return Status::Invalid("partition field id " + std::to_string(f.field_id) + " used twice");
    }
    if (!names.insert(f.name).second) {
      return Status::Invalid("partition field name '" + f.name + "' used twice");
    }
  }
  return Status::OK();
}

// --- writing ---

// The entry as it goes on disk, after applying the ADDED/EXISTING/DELETED rules.
Result<ManifestEntry> Normalize(const ManifestEntry& in, const ManifestWriteOptions& options) {
  ManifestEntry e = in;
  switch (in.status) {
    case EntryStatus::kAdded:
      e.snapshot_id = options.snapshot_id;
      e.sequence_number.reset();
      e.file_sequence_number.reset();
      break;
    case EntryStatus::kExisting:
      if (!in.snapshot_id || !in.sequence_number || !in.file_sequence_number) {
        return Status::Invalid(
            "EXISTING entry needs snapshot_id, sequence_number and file_sequence_number");
      }
      break;
    case EntryStatus::kDeleted:
      if (!in.sequence_number || !in.file_sequence_number) {
        return Status::Invalid("DELETED entry needs sequence_number and file_sequence_number");
      }
      if (!in.snapshot_id) e.snapshot_id = options.snapshot_id;
      break;
    default:
      return Status::Invalid("bad entry status " + std::to_string(static_cast<int>(in.status)));
  }
  const DataFile& f = in.data_file;
  if (f.file_path.empty()) return Status::Invalid("data file without a path");
  if (f.content < 0 || f.content > 2) {
    return Status::Invalid("bad data file content " + std::to_string(f.content));
  }
  if (f.partition.size() != options.spec.fields.size()) {
    return Status::Invalid("partition tuple has " + std::to_string(f.partition.size()) +
                           " values, the spec has " + std::to_string(options.spec.fields.size()) +
                           " fields");
  }
  for (size_t i = 0; i < f.partition.size(); ++i) {
    TF_RETURN_IF_ERROR(CheckPartitionValue(options.spec.fields[i], f.partition[i]));
  }
  if (f.record_count < 0 || f.file_size_in_bytes < 0) {
    return Status::Invalid("negative record_count or file_size_in_bytes");
  }
  return e;
}

void EncodePartitionValue(avro::Encoder& enc, const PartitionValue& v) {
  enc.WriteUnionBranch(v ? 1 : 0);
  if (!v) return;
  struct Visitor {
    avro::Encoder& enc;
    void operator()(int32_t x) const { enc.WriteInt(x); }
    void operator()(int64_t x) const { enc.WriteLong(x); }
    void operator()(const std::string& x) const { enc.WriteString(x); }
    void operator()(bool x) const { enc.WriteBoolean(x); }
  };
  std::visit(Visitor{enc}, *v);
}

// REQUIRES: `e` passed Normalize.
std::string EncodeEntry(const ManifestEntry& e) {
  avro::Encoder enc;
  enc.WriteInt(static_cast<int32_t>(e.status));
  internal::WriteOptionalLong(enc, e.snapshot_id);
  internal::WriteOptionalLong(enc, e.sequence_number);
  internal::WriteOptionalLong(enc, e.file_sequence_number);
  const DataFile& f = e.data_file;
  enc.WriteInt(f.content);
  enc.WriteString(f.file_path);
  enc.WriteString(f.file_format);
  for (const PartitionValue& v : f.partition) EncodePartitionValue(enc, v);
  enc.WriteLong(f.record_count);
  enc.WriteLong(f.file_size_in_bytes);
  internal::WriteOptionalIntLongMap(enc, f.column_sizes);
  internal::WriteOptionalIntLongMap(enc, f.value_counts);
  internal::WriteOptionalIntLongMap(enc, f.null_value_counts);
  internal::WriteOptionalIntLongMap(enc, f.nan_value_counts);
  internal::WriteOptionalIntBytesMap(enc, f.lower_bounds);
  internal::WriteOptionalIntBytesMap(enc, f.upper_bounds);
  enc.WriteUnionBranch(0);  // key_metadata: no encryption
  internal::WriteOptionalLongList(enc, f.split_offsets);
  internal::WriteOptionalIntList(enc, f.equality_ids);
  internal::WriteOptionalInt(enc, f.sort_order_id);
  internal::WriteOptionalBytes(enc, f.referenced_data_file);  // string and bytes share encoding
  return enc.Release();
}

std::vector<FieldSummary> SummarizePartitions(const PartitionSpec& spec,
                                              const std::vector<ManifestEntry>& entries) {
  std::vector<FieldSummary> out;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    FieldSummary s;
    // Partition types here are never floating point, so there is never a NaN; Java and
    // pyiceberg write false rather than null in that case.
    s.contains_nan = false;
    PartitionValue lo, hi;
    for (const ManifestEntry& e : entries) {
      const PartitionValue& v = e.data_file.partition[i];
      if (!v) {
        s.contains_null = true;
        continue;
      }
      // Same alternative throughout (checked in Normalize), so variant order is value order;
      // strings compare bytewise, which for UTF-8 is code point order.
      if (!lo || *v < *lo) lo = v;
      if (!hi || *hi < *v) hi = v;
    }
    if (lo) s.lower_bound = SerializePartitionValue(lo);
    if (hi) s.upper_bound = SerializePartitionValue(hi);
    out.push_back(std::move(s));
  }
  return out;
}

// --- reading ---

// The partition record's schema inside the writer schema, or nullptr.
const avro::Node* PartitionRecordSchema(const avro::Schema& schema) {
  const avro::Node& root = schema.root();
  if (root.type != avro::Type::kRecord) return nullptr;
  auto find = [](const avro::Node& rec, FieldRef f) -> const avro::Node* {
    int i = rec.FieldIndexById(f.id);
    if (i < 0) i = rec.FieldIndex(f.name);
    return i < 0 ? nullptr : rec.fields[static_cast<size_t>(i)].type;
  };
  const avro::Node* data_file = find(root, kDataFile);
  if (data_file == nullptr || data_file->type != avro::Type::kRecord) return nullptr;
  const avro::Node* partition = find(*data_file, kPartition);
  if (partition == nullptr || partition->type != avro::Type::kRecord) return nullptr;
  return partition;
}

Result<PartitionValueType> PartitionTypeOf(const avro::Node* node) {
  if (node->type == avro::Type::kUnion) {
    const avro::Node* non_null = nullptr;
    for (const avro::Node* b : node->branches) {
      if (b->type != avro::Type::kNull) non_null = b;
    }
    if (non_null == nullptr) return Status::Invalid("partition field of type null");
    node = non_null;
  }
  switch (node->type) {
    case avro::Type::kBoolean:
      return PartitionValueType::kBoolean;
    case avro::Type::kInt:
      return node->logical_type == "date" ? PartitionValueType::kDate : PartitionValueType::kInt;
    case avro::Type::kLong:
      return PartitionValueType::kLong;
    case avro::Type::kString:
      return PartitionValueType::kString;
    default:
      return Status::Invalid("partition values of Avro type " +
                             std::string(avro::TypeName(node->type)) + " are not supported");
  }
}

// The spec from the "partition-spec" header, with each field's type taken from the schema.
Result<PartitionSpec> ReadSpec(const avro::ContainerFile& file) {
  PartitionSpec spec;
  if (const std::string* id = file.FindMetadata("partition-spec-id")) {
    auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), spec.spec_id);
    if (ec != std::errc() || end != id->data() + id->size()) {
      return Status::Invalid("partition-spec-id '" + *id + "' is not an int");
    }
  }
  const avro::Node* record = PartitionRecordSchema(*file.schema);
  if (record == nullptr) return Status::Invalid("schema has no data_file.partition record");
  if (const std::string* json = file.FindMetadata("partition-spec")) {
    TF_ASSIGN_OR_RETURN(spec.fields, ParsePartitionFieldsJson(*json));
  } else {
    // No header (not written by Java, pyiceberg or us): the schema still names the fields.
    for (const avro::FieldSchema& f : record->fields) {
      if (!f.field_id) return Status::Invalid("partition field '" + f.name + "' has no field-id");
      spec.fields.push_back(PartitionField{*f.field_id, 0, f.name, "", PartitionValueType::kInt});
    }
  }
  for (PartitionField& f : spec.fields) {
    int i = record->FieldIndexById(f.field_id);
    if (i < 0) i = record->FieldIndex(f.name);
    if (i < 0) return Status::Invalid("partition field '" + f.name + "' is not in the schema");
    auto type = PartitionTypeOf(record->fields[static_cast<size_t>(i)].type);
    if (!type.ok()) return type.status().WithContext("partition field '" + f.name + "'");
    f.type = *type;
  }
  return spec;
}

Result<PartitionValue> DecodePartitionValue(const avro::Value& v, PartitionValueType type) {
  if (v.IsNull()) return PartitionValue();
  switch (type) {
    case PartitionValueType::kInt:
    case PartitionValueType::kDate: {
      TF_ASSIGN_OR_RETURN(int32_t x, v.AsInt());
      return PartitionValue(x);
    }
    case PartitionValueType::kLong: {
      TF_ASSIGN_OR_RETURN(int64_t x, v.AsLong());
      return PartitionValue(x);
    }
    case PartitionValueType::kString: {
      TF_ASSIGN_OR_RETURN(std::string_view x, v.AsString());
      return PartitionValue(std::string(x));
    }
    case PartitionValueType::kBoolean: {
      TF_ASSIGN_OR_RETURN(bool x, v.AsBool());
      return PartitionValue(x);
    }
  }
  return Status::Internal("unknown partition type");
}

Result<DataFile> DecodeDataFile(const avro::Value& v, const PartitionSpec& spec) {
  DataFile f;
  TF_ASSIGN_OR_RETURN(f.content, internal::GetIntOr(v, kContent, 0));  // v1 has no content
  TF_ASSIGN_OR_RETURN(f.file_path, internal::GetString(v, kFilePath));
  TF_ASSIGN_OR_RETURN(f.file_format, internal::GetString(v, kFileFormat));
  const avro::Value* partition = internal::FindField(v, kPartition);
  if (partition == nullptr || partition->type() != avro::Type::kRecord) {
    return Status::Invalid("field 'partition' is missing or not a record");
  }
  for (const PartitionField& pf : spec.fields) {
    const avro::Value* pv = internal::FindField(*partition, FieldRef{pf.field_id, pf.name});
    if (pv == nullptr) return Status::Invalid("partition has no field '" + pf.name + "'");
    auto value = DecodePartitionValue(*pv, pf.type);
    if (!value.ok()) return value.status().WithContext("partition field '" + pf.name + "'");
    f.partition.push_back(std::move(value).value());
  }
  TF_ASSIGN_OR_RETURN(f.record_count, internal::GetLong(v, kRecordCount));
  TF_ASSIGN_OR_RETURN(f.file_size_in_bytes, internal::GetLong(v, kFileSizeInBytes));
  TF_ASSIGN_OR_RETURN(f.column_sizes, internal::GetIntLongMap(v, kColumnSizes));
  TF_ASSIGN_OR_RETURN(f.value_counts, internal::GetIntLongMap(v, kValueCounts));
  TF_ASSIGN_OR_RETURN(f.null_value_counts, internal::GetIntLongMap(v, kNullValueCounts));
  TF_ASSIGN_OR_RETURN(f.nan_value_counts, internal::GetIntLongMap(v, kNanValueCounts));
  TF_ASSIGN_OR_RETURN(f.lower_bounds, internal::GetIntBytesMap(v, kLowerBounds));
  TF_ASSIGN_OR_RETURN(f.upper_bounds, internal::GetIntBytesMap(v, kUpperBounds));
  TF_ASSIGN_OR_RETURN(std::optional<std::string> key_metadata,
                      internal::GetOptionalBytes(v, kKeyMetadata));
  if (key_metadata) return Status::Invalid("encrypted data files are not supported");
  TF_ASSIGN_OR_RETURN(f.split_offsets, internal::GetLongList(v, kSplitOffsets));
  TF_ASSIGN_OR_RETURN(f.equality_ids, internal::GetIntList(v, kEqualityIds));
  TF_ASSIGN_OR_RETURN(f.sort_order_id, internal::GetOptionalInt(v, kSortOrderId));
  TF_ASSIGN_OR_RETURN(f.referenced_data_file, internal::GetOptionalString(v, kReferencedDataFile));
  return f;
}

Result<ManifestEntry> DecodeEntry(const avro::Value& v, const PartitionSpec& spec) {
  ManifestEntry e;
  TF_ASSIGN_OR_RETURN(int32_t status, internal::GetInt(v, kStatus));
  if (status < 0 || status > 2) return Status::Invalid("bad status " + std::to_string(status));
  e.status = static_cast<EntryStatus>(status);
  TF_ASSIGN_OR_RETURN(e.snapshot_id, internal::GetOptionalLong(v, kSnapshotId));
  TF_ASSIGN_OR_RETURN(e.sequence_number, internal::GetOptionalLong(v, kSequenceNumber));
  TF_ASSIGN_OR_RETURN(e.file_sequence_number, internal::GetOptionalLong(v, kFileSequenceNumber));
  const avro::Value* data_file = internal::FindField(v, kDataFile);
  if (data_file == nullptr || data_file->type() != avro::Type::kRecord) {
    return Status::Invalid("field 'data_file' is missing or not a record");
  }
  auto f = DecodeDataFile(*data_file, spec);
  if (!f.ok()) return f.status().WithContext("data_file");
  e.data_file = std::move(f).value();
  return e;
}

}  // namespace

std::string ManifestEntrySchemaJson(const PartitionSpec& spec) {
  using internal::IntKeyMapType;
  using internal::ListType;
  auto req = [](FieldRef f, OJson type) {
    return internal::RequiredField(f.name, std::move(type), f.id);
  };
  auto opt = [](FieldRef f, OJson type) {
    return internal::OptionalField(f.name, std::move(type), f.id);
  };
  OJson partition_fields = OJson::array();
  for (const PartitionField& f : spec.fields) {
    partition_fields.push_back(
        internal::OptionalField(f.name, PartitionAvroType(f.type), f.field_id));
  }
  OJson partition{{"type", "record"}, {"name", "r102"}, {"fields", std::move(partition_fields)}};
  OJson data_file_fields = OJson::array({
      req(kContent, "int"),
      req(kFilePath, "string"),
      req(kFileFormat, "string"),
      req(kPartition, std::move(partition)),
      req(kRecordCount, "long"),
      req(kFileSizeInBytes, "long"),
      opt(kColumnSizes, IntKeyMapType("long", 117, 118)),
      opt(kValueCounts, IntKeyMapType("long", 119, 120)),
      opt(kNullValueCounts, IntKeyMapType("long", 121, 122)),
      opt(kNanValueCounts, IntKeyMapType("long", 138, 139)),
      opt(kLowerBounds, IntKeyMapType("bytes", 126, 127)),
      opt(kUpperBounds, IntKeyMapType("bytes", 129, 130)),
      opt(kKeyMetadata, "bytes"),
      opt(kSplitOffsets, ListType("long", 133)),
      opt(kEqualityIds, ListType("int", 136)),
      opt(kSortOrderId, "int"),
      opt(kReferencedDataFile, "string"),
  });
  OJson data_file{{"type", "record"}, {"name", "r2"}, {"fields", std::move(data_file_fields)}};
  OJson fields = OJson::array({
      req(kStatus, "int"),
      opt(kSnapshotId, "long"),
      opt(kSequenceNumber, "long"),
      opt(kFileSequenceNumber, "long"),
      req(kDataFile, std::move(data_file)),
  });
  return OJson{{"type", "record"}, {"name", "manifest_entry"}, {"fields", std::move(fields)}}
      .dump();
}

Result<ManifestFile> WriteManifest(const std::string& local_path, const std::string& uri,
                                   const ManifestWriteOptions& options,
                                   const std::vector<ManifestEntry>& entries) {
  const std::string context = "manifest " + local_path;
  Status st = ValidateSpec(options.spec);
  if (!st.ok()) return st.WithContext(context);
  if (!nlohmann::json::accept(options.table_schema_json)) {
    return Status::Invalid(context + ": table schema is not valid JSON");
  }

  ManifestFile m;
  m.manifest_path = uri;
  m.partition_spec_id = options.spec.spec_id;
  m.sequence_number = options.sequence_number;
  m.added_snapshot_id = options.snapshot_id;
  // Over live (ADDED/EXISTING) entries only: deleted files are not scanned.
  std::optional<int64_t> min_sequence_number;
  auto lower_min_sequence_number = [&](int64_t seq) {
    if (!min_sequence_number || seq < *min_sequence_number) min_sequence_number = seq;
  };
  int data_entries = 0;

  std::vector<ManifestEntry> normalized;
  normalized.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    auto e = Normalize(entries[i], options);
    if (!e.ok()) {
      return e.status().WithContext(context + ": entry " + std::to_string(i) + " (" +
                                    entries[i].data_file.file_path + ")");
    }
    const int64_t rows = e->data_file.record_count;
    switch (e->status) {
      case EntryStatus::kAdded:
        ++m.added_files_count;
        m.added_rows_count += rows;
        lower_min_sequence_number(options.sequence_number);  // inherited at commit
        break;
      case EntryStatus::kExisting:
        ++m.existing_files_count;
        m.existing_rows_count += rows;
        lower_min_sequence_number(*e->sequence_number);
        break;
      case EntryStatus::kDeleted:
        ++m.deleted_files_count;
        m.deleted_rows_count += rows;
        break;
    }
    if (e->data_file.content == 0) ++data_entries;
    normalized.push_back(std::move(e).value());
  }
  if (data_entries != 0 && data_entries != static_cast<int>(entries.size())) {
    return Status::Invalid(context + ": mixes data files and delete files");
  }
  m.content = (entries.empty() || data_entries != 0) ? 0 : 1;
  // With no live entries there is no data sequence number; the snapshot's own is the bound.
  m.min_sequence_number = min_sequence_number.value_or(options.sequence_number);
  m.partitions = SummarizePartitions(options.spec, normalized);

  avro::ContainerOptions container;
  container.metadata = {
      {"schema", options.table_schema_json},
      {"schema-id", std::to_string(options.schema_id)},
      {"partition-spec", options.spec.FieldsJson()},
      {"partition-spec-id", std::to_string(options.spec.spec_id)},
      {"format-version", "2"},
      {"content", m.content == 0 ? "data" : "deletes"},
  };
  avro::ContainerWriter writer(ManifestEntrySchemaJson(options.spec), std::move(container));
  for (const ManifestEntry& e : normalized) writer.Append(EncodeEntry(e));
  auto bytes = writer.Finish();
  if (!bytes.ok()) return bytes.status().WithContext(context);
  TF_RETURN_IF_ERROR(WriteFileAtomic(local_path, *bytes));
  m.manifest_length = static_cast<int64_t>(bytes->size());
  return m;
}

Result<Manifest> ReadManifestFile(const std::string& local_path) {
  TF_ASSIGN_OR_RETURN(avro::ContainerFile file, avro::ReadContainerFile(local_path));
  Manifest manifest;
  if (const std::string* schema = file.FindMetadata("schema")) manifest.table_schema_json = *schema;
  if (const std::string* id = file.FindMetadata("schema-id")) {
    int32_t v = 0;
    auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), v);
    if (ec != std::errc() || end != id->data() + id->size()) {
      return Status::Invalid(local_path + ": schema-id '" + *id + "' is not an int");
    }
    manifest.schema_id = v;
  }
  if (const std::string* content = file.FindMetadata("content")) {
    manifest.content = *content == "deletes" ? 1 : 0;
  }
  auto spec = ReadSpec(file);
  if (!spec.ok()) return spec.status().WithContext(local_path);
  manifest.spec = std::move(spec).value();
  manifest.entries.reserve(file.records.size());
  for (size_t i = 0; i < file.records.size(); ++i) {
    auto e = DecodeEntry(file.records[i], manifest.spec);
    if (!e.ok()) return e.status().WithContext(local_path + ": entry " + std::to_string(i));
    manifest.entries.push_back(std::move(e).value());
  }
  return manifest;
}

Result<std::vector<ManifestEntry>> ReadManifest(const std::string& local_path) {
  TF_ASSIGN_OR_RETURN(Manifest manifest, ReadManifestFile(local_path));
  return std::move(manifest.entries);
}

}  // namespace tradeflow::lake
