#include "lake/manifest_list.h"

#include "lake/avro/container.h"
#include "lake/avro/reader.h"
#include "lake/file_io.h"
#include "lake/manifest_avro.h"

namespace tradeflow::lake {

namespace {

using internal::FieldRef;
using internal::OJson;

// Field ids and names of Java's V2 manifest_file schema.
constexpr FieldRef kManifestPath{500, "manifest_path"};
constexpr FieldRef kManifestLength{501, "manifest_length"};
constexpr FieldRef kPartitionSpecId{502, "partition_spec_id"};
constexpr FieldRef kContent{517, "content"};
constexpr FieldRef kSequenceNumber{515, "sequence_number"};
constexpr FieldRef kMinSequenceNumber{516, "min_sequence_number"};
constexpr FieldRef kAddedSnapshotId{503, "added_snapshot_id"};
constexpr FieldRef kAddedFilesCount{504, "added_files_count"};
constexpr FieldRef kExistingFilesCount{505, "existing_files_count"};
constexpr FieldRef kDeletedFilesCount{506, "deleted_files_count"};
constexpr FieldRef kAddedRowsCount{512, "added_rows_count"};
constexpr FieldRef kExistingRowsCount{513, "existing_rows_count"};
constexpr FieldRef kDeletedRowsCount{514, "deleted_rows_count"};
constexpr FieldRef kPartitions{507, "partitions"};
constexpr int32_t kPartitionsElementId = 508;
constexpr FieldRef kKeyMetadata{519, "key_metadata"};
constexpr FieldRef kContainsNull{509, "contains_null"};
constexpr FieldRef kContainsNan{518, "contains_nan"};
constexpr FieldRef kLowerBound{510, "lower_bound"};
constexpr FieldRef kUpperBound{511, "upper_bound"};

std::string BuildSchemaJson() {
  using internal::ListType;
  using internal::OptionalField;
  using internal::RequiredField;
  auto req = [](FieldRef f, OJson type) { return RequiredField(f.name, std::move(type), f.id); };
  auto opt = [](FieldRef f, OJson type) { return OptionalField(f.name, std::move(type), f.id); };
  OJson summary{
      {"type", "record"},
      {"name", "r508"},
      {"fields", OJson::array({req(kContainsNull, "boolean"), opt(kContainsNan, "boolean"),
                               opt(kLowerBound, "bytes"), opt(kUpperBound, "bytes")})}};
  OJson fields = OJson::array({
      req(kManifestPath, "string"),
      req(kManifestLength, "long"),
      req(kPartitionSpecId, "int"),
      req(kContent, "int"),
      req(kSequenceNumber, "long"),
      req(kMinSequenceNumber, "long"),
      req(kAddedSnapshotId, "long"),
      req(kAddedFilesCount, "int"),
      req(kExistingFilesCount, "int"),
      req(kDeletedFilesCount, "int"),
      req(kAddedRowsCount, "long"),
      req(kExistingRowsCount, "long"),
      req(kDeletedRowsCount, "long"),
      opt(kPartitions, ListType(std::move(summary), kPartitionsElementId)),
      opt(kKeyMetadata, "bytes"),
  });
  return OJson{{"type", "record"}, {"name", "manifest_file"}, {"fields", std::move(fields)}}.dump();
}

std::string EncodeManifestFile(const ManifestFile& m) {
  avro::Encoder e;
  e.WriteString(m.manifest_path);
  e.WriteLong(m.manifest_length);
  e.WriteInt(m.partition_spec_id);
  e.WriteInt(m.content);
  e.WriteLong(m.sequence_number);
  e.WriteLong(m.min_sequence_number);
  e.WriteLong(m.added_snapshot_id);
  e.WriteInt(m.added_files_count);
  e.WriteInt(m.existing_files_count);
  e.WriteInt(m.deleted_files_count);
  e.WriteLong(m.added_rows_count);
  e.WriteLong(m.existing_rows_count);
  e.WriteLong(m.deleted_rows_count);
  // partitions: always present (an empty list for unpartitioned specs), as Java writes it.
  e.WriteUnionBranch(1);
  if (!m.partitions.empty()) {
    e.WriteBlockCount(static_cast<int64_t>(m.partitions.size()));
    for (const FieldSummary& s : m.partitions) {
      e.WriteBoolean(s.contains_null);
      internal::WriteOptionalBool(e, s.contains_nan);
      internal::WriteOptionalBytes(e, s.lower_bound);
      internal::WriteOptionalBytes(e, s.upper_bound);
    }
  }
  e.WriteBlockEnd();
  e.WriteUnionBranch(0);  // key_metadata: manifests are not encrypted
  return e.Release();
}

Result<FieldSummary> DecodeFieldSummary(const avro::Value& v) {
  FieldSummary s;
  TF_ASSIGN_OR_RETURN(std::optional<bool> contains_null,
                      internal::GetOptionalBool(v, kContainsNull));
  s.contains_null = contains_null.value_or(false);
  TF_ASSIGN_OR_RETURN(s.contains_nan, internal::GetOptionalBool(v, kContainsNan));
  TF_ASSIGN_OR_RETURN(s.lower_bound, internal::GetOptionalBytes(v, kLowerBound));
  TF_ASSIGN_OR_RETURN(s.upper_bound, internal::GetOptionalBytes(v, kUpperBound));
  return s;
}

Result<ManifestFile> DecodeManifestFile(const avro::Value& v) {
  using internal::GetIntOr;
  using internal::GetLongOr;
  ManifestFile m;
  TF_ASSIGN_OR_RETURN(m.manifest_path, internal::GetString(v, kManifestPath));
  TF_ASSIGN_OR_RETURN(m.manifest_length, internal::GetLong(v, kManifestLength));
  TF_ASSIGN_OR_RETURN(m.partition_spec_id, GetIntOr(v, kPartitionSpecId, 0));
  // v1 lists have no content or sequence numbers: all manifests hold data at sequence 0.
  TF_ASSIGN_OR_RETURN(m.content, GetIntOr(v, kContent, 0));
  TF_ASSIGN_OR_RETURN(m.sequence_number, GetLongOr(v, kSequenceNumber, 0));
  TF_ASSIGN_OR_RETURN(m.min_sequence_number, GetLongOr(v, kMinSequenceNumber, 0));
  TF_ASSIGN_OR_RETURN(m.added_snapshot_id, GetLongOr(v, kAddedSnapshotId, 0));
  // Counts are optional in v1.
  TF_ASSIGN_OR_RETURN(m.added_files_count, GetIntOr(v, kAddedFilesCount, 0));
  TF_ASSIGN_OR_RETURN(m.existing_files_count, GetIntOr(v, kExistingFilesCount, 0));
  TF_ASSIGN_OR_RETURN(m.deleted_files_count, GetIntOr(v, kDeletedFilesCount, 0));
  TF_ASSIGN_OR_RETURN(m.added_rows_count, GetLongOr(v, kAddedRowsCount, 0));
  TF_ASSIGN_OR_RETURN(m.existing_rows_count, GetLongOr(v, kExistingRowsCount, 0));
  TF_ASSIGN_OR_RETURN(m.deleted_rows_count, GetLongOr(v, kDeletedRowsCount, 0));
  const avro::Value* partitions = internal::FindField(v, kPartitions);
  if (partitions != nullptr && !partitions->IsNull()) {
    if (partitions->type() != avro::Type::kArray) {
      return Status::Invalid("field 'partitions' is not an array");
    }
    for (const avro::Value& s : partitions->items()) {
      auto summary = DecodeFieldSummary(s);
      if (!summary.ok()) return summary.status().WithContext("field 'partitions'");
      m.partitions.push_back(std::move(summary).value());
    }
  }
  return m;
}

}  // namespace

const std::string& ManifestListSchemaJson() {
  static const std::string* const kSchema = new std::string(BuildSchemaJson());
  return *kSchema;
}

Status WriteManifestList(const std::string& local_path, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         const std::vector<ManifestFile>& manifests) {
  avro::ContainerOptions options;
  options.metadata = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id",
       parent_snapshot_id ? std::to_string(*parent_snapshot_id) : std::string("null")},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"},
  };
  avro::ContainerWriter writer(ManifestListSchemaJson(), std::move(options));
  for (const ManifestFile& m : manifests) {
    if (m.manifest_path.empty()) {
      return Status::Invalid("manifest list " + local_path + ": a manifest has an empty path");
    }
    writer.Append(EncodeManifestFile(m));
  }
  auto bytes = writer.Finish();
  if (!bytes.ok()) return bytes.status().WithContext("manifest list " + local_path);
  return WriteFileAtomic(local_path, *bytes);
}

Result<std::vector<ManifestFile>> ReadManifestList(const std::string& local_path) {
  TF_ASSIGN_OR_RETURN(avro::ContainerFile file, avro::ReadContainerFile(local_path));
  std::vector<ManifestFile> out;
  out.reserve(file.records.size());
  for (size_t i = 0; i < file.records.size(); ++i) {
    auto m = DecodeManifestFile(file.records[i]);
    if (!m.ok()) {
      return m.status().WithContext(local_path + ": manifest_file record " + std::to_string(i));
    }
    out.push_back(std::move(m).value());
  }
  return out;
}

}  // namespace tradeflow::lake
