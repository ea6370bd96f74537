#include "lake/table.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "common/crash_points.h"
#include "lake/file_io.h"
#include "lake/foreign_tables.h"
#include "lake/iceberg_schema.h"

namespace tradeflow::lake {
namespace {

Result<TableMetadata> ReadMetadata(const std::string& location) {
  TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(location));
  TF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto parsed = ParseTableMetadata(text);
  if (!parsed.ok()) return parsed.status().WithContext(path);
  return parsed;
}

int64_t SumSummary(const Snapshot* s, const std::string& key) {
  if (s == nullptr) return 0;
  auto it = s->summary.find(key);
  return it == s->summary.end() ? 0 : std::stoll(it->second);
}

std::map<std::string, std::string> AppendSummary(const Snapshot* parent,
                                                 const std::vector<DataFile>& files,
                                                 const std::map<std::string, std::string>& extra) {
  int64_t records = 0, bytes = 0;
  for (const auto& f : files) {
    records += f.record_count;
    bytes += f.file_size_in_bytes;
  }
  std::map<std::string, std::string> s = extra;
  s["operation"] = "append";
  s["added-data-files"] = std::to_string(files.size());
  s["added-records"] = std::to_string(records);
  s["added-files-size"] = std::to_string(bytes);
  std::set<std::vector<PartitionValue>> partitions;
  for (const auto& f : files) partitions.insert(f.partition);
  s["changed-partition-count"] = std::to_string(partitions.size());
  s["total-data-files"] =
      std::to_string(SumSummary(parent, "total-data-files") + static_cast<int64_t>(files.size()));
  s["total-records"] = std::to_string(SumSummary(parent, "total-records") + records);
  s["total-files-size"] = std::to_string(SumSummary(parent, "total-files-size") + bytes);
  s["total-delete-files"] = std::to_string(SumSummary(parent, "total-delete-files"));
  s["total-position-deletes"] = std::to_string(SumSummary(parent, "total-position-deletes"));
  s["total-equality-deletes"] = std::to_string(SumSummary(parent, "total-equality-deletes"));
  return s;
}

struct ReplacedFiles {
  int64_t files = 0;
  int64_t records = 0;
};

// For an overwrite: rewrites each live manifest with its live entries marked DELETED (with their
// sequence numbers made explicit, as the spec requires for non-ADDED entries).
Status MarkAllDeleted(const std::vector<ManifestFile>& existing, int64_t snapshot_id,
                      int64_t sequence_number, const std::string& path_prefix,
                      std::vector<ManifestFile>* manifests, std::vector<std::string>* written,
                      ReplacedFiles* replaced) {
  int n = 0;
  for (const auto& m : existing) {
    TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(m.manifest_path));
    TF_ASSIGN_OR_RETURN(Manifest manifest, ReadManifestFile(path));
    std::vector<ManifestEntry> deleted;
    for (auto& e : manifest.entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      ManifestEntry d;
      d.status = EntryStatus::kDeleted;
      d.snapshot_id = snapshot_id;
      d.sequence_number = e.sequence_number.value_or(m.sequence_number);
      d.file_sequence_number = e.file_sequence_number.value_or(m.sequence_number);
      d.data_file = std::move(e.data_file);
      replaced->files += 1;
      replaced->records += d.data_file.record_count;
      deleted.push_back(std::move(d));
    }
    if (deleted.empty()) continue;
    ManifestWriteOptions options;
    options.table_schema_json = manifest.table_schema_json;
    options.schema_id = manifest.schema_id.value_or(0);
    options.spec = manifest.spec;
    options.snapshot_id = snapshot_id;
    options.sequence_number = sequence_number;
    std::string out = path_prefix + "-d" + std::to_string(n++) + ".avro";
    TF_ASSIGN_OR_RETURN(ManifestFile written_manifest,
                        WriteManifest(out, ToFileUri(out), options, deleted));
    written_manifest.sequence_number = sequence_number;
    written->push_back(out);
    manifests->push_back(std::move(written_manifest));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Table>> Table::Load(Catalog* catalog, const TableIdentifier& id) {
  auto table = std::unique_ptr<Table>(new Table(catalog, id));
  TF_RETURN_IF_ERROR(table->Refresh());
  return table;
}

Status Table::Refresh() {
  TF_ASSIGN_OR_RETURN(auto location, catalog_->LoadMetadataLocation(id_));
  if (!location) return Status::NotFound("table " + id_.ToString() + " does not exist");
  auto metadata = ReadMetadata(*location);
  if (!metadata.ok()) {
    // Never NotFound: the table exists (the catalog names it), and a writer taking it for a new
    // one would read again every input the table holds, then lose every commit race to it.
    return Status::IOError("table " + id_.ToString() +
                           " cannot be read: " + metadata.status().message() +
                           " (the catalog's current metadata file for it: restore that file, or "
                           "point the catalog at an earlier one of its metadata folder)");
  }
  metadata_ = std::move(*metadata);
  metadata_location_ = *location;
  return Status::OK();
}

namespace {

std::string DescribePartitioning(const PartitionSpec& spec, const IcebergFieldIds& ids) {
  if (spec.fields.empty()) return "none";
  std::string out;
  for (const auto& f : spec.fields) {
    std::string column = "field " + std::to_string(f.source_id);
    for (const auto& [path, id] : ids.by_path) {
      if (id == f.source_id) column = path;
    }
    out += (out.empty() ? "" : ", ") + f.transform + "(" + column + ")";
  }
  return out;
}

std::string DescribeSort(const std::vector<SortKey>& keys) {
  if (keys.empty()) return "none";
  std::string out;
  for (const auto& k : keys) {
    out +=
        (out.empty() ? "" : ", ") + k.column + (k.descending ? " desc" : "") +
        (k.NullsFirst() != !k.descending ? (k.NullsFirst() ? " nulls first" : " nulls last") : "");
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> Table::LayoutDifferences(const TableLayout& layout) const {
  std::vector<std::string> out;
  const nlohmann::json* schema = CurrentSchema(metadata_);
  if (schema == nullptr) return Status::Invalid("table " + id_.ToString() + " has no schema");
  TF_ASSIGN_OR_RETURN(IcebergFieldIds ids, FieldIdsOfIcebergSchema(*schema));
  TF_ASSIGN_OR_RETURN(PartitionSpec have, CurrentPartitionSpec());
  // Only compared: names that would be refused for a new table do not stop a run into this one.
  TF_ASSIGN_OR_RETURN(PartitionSpec want,
                      ResolvePartitionSpec(*schema, layout.partition, /*check_names=*/false));
  auto same_field = [](const PartitionField& a, const PartitionField& b) {
    return a.source_id == b.source_id && a.transform == b.transform;
  };
  if (!std::equal(have.fields.begin(), have.fields.end(), want.fields.begin(), want.fields.end(),
                  same_field)) {
    out.push_back("table " + id_.ToString() + " keeps the partitioning it was created with, " +
                  DescribePartitioning(have, ids) + "; the partitioning asked for (" +
                  DescribePartitioning(want, ids) + ") applies to a new table only");
  }
  TF_ASSIGN_OR_RETURN(std::vector<SortKey> sorted, DefaultSortKeys());
  auto same_key = [](const SortKey& a, const SortKey& b) {
    return a.column == b.column && a.descending == b.descending && a.NullsFirst() == b.NullsFirst();
  };
  if (!std::equal(sorted.begin(), sorted.end(), layout.sort.begin(), layout.sort.end(), same_key)) {
    out.push_back("table " + id_.ToString() + " keeps the sort order it was created with, " +
                  DescribeSort(sorted) + "; the sort order asked for (" +
                  DescribeSort(layout.sort) + ") applies to a new table only");
  }
  return out;
}

std::vector<std::string> Table::WritePropertyDifferences(int64_t target_file_bytes) const {
  std::vector<std::string> out;
  auto property = [this](const char* key) -> const std::string* {
    auto it = metadata_.properties.find(key);
    return it == metadata_.properties.end() ? nullptr : &it->second;
  };
  const std::string table = "table " + id_.ToString() + "'s ";
  if (const std::string* size = property("write.target-file-size-bytes");
      size != nullptr && *size != std::to_string(target_file_bytes)) {
    out.push_back(table + "write.target-file-size-bytes is " + *size +
                  " (as the table was created, or set since by another tool); this run rolls "
                  "files at " +
                  std::to_string(target_file_bytes) + " bytes (the pipeline's target_file_mb)");
  }
  if (const std::string* codec = property("write.parquet.compression-codec"); codec != nullptr) {
    std::string lower = *codec;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "zstd") {
      out.push_back(table + "write.parquet.compression-codec is " + *codec +
                    "; tradeflow writes zstd, which every Iceberg reader reads");
    }
  }
  for (const char* key : {"write.data.path", "write.object-storage.enabled"}) {
    if (const std::string* value = property(key); value != nullptr && *value != "false") {
      out.push_back(table + key + " is " + *value + "; tradeflow writes data files under " +
                    metadata_.location + "/data");
    }
  }
  return out;
}

Result<std::unique_ptr<Table>> Table::LoadCurrent() const {
  if (catalog_ == nullptr) return Status::Internal("table " + id_.ToString() + " has no catalog");
  auto current = Load(catalog_, id_);
  if (current.status().code() == StatusCode::kNotFound) return std::unique_ptr<Table>();
  return current;
}

namespace {

// Iceberg sort order JSON for the sort columns (identity transforms).
Result<nlohmann::json> SortOrderJson(const nlohmann::json& schema, const std::vector<SortKey>& sort,
                                     int32_t order_id) {
  nlohmann::json fields = nlohmann::json::array();
  TF_ASSIGN_OR_RETURN(IcebergFieldIds ids, FieldIdsOfIcebergSchema(schema));
  for (const auto& k : sort) {
    auto it = ids.by_path.find(k.column);
    if (it == ids.by_path.end()) {
      return Status::Invalid("sort column '" + k.column + "' does not exist");
    }
    fields.push_back({{"transform", "identity"},
                      {"source-id", it->second},
                      {"direction", k.descending ? "desc" : "asc"},
                      {"null-order", k.NullsFirst() ? "nulls-first" : "nulls-last"}});
  }
  return nlohmann::json{{"order-id", order_id}, {"fields", fields}};
}

}  // namespace

Result<std::unique_ptr<Table>> Table::Stage(Catalog* catalog, const TableIdentifier& id,
                                            const std::string& location,
                                            const arrow::Schema& schema, const TableLayout& layout,
                                            std::map<std::string, std::string> properties) {
  TF_ASSIGN_OR_RETURN(nlohmann::json iceberg_schema, IcebergSchemaFromArrow(schema, 0));
  TF_ASSIGN_OR_RETURN(IcebergFieldIds ids, FieldIdsOfIcebergSchema(iceberg_schema));
  TF_ASSIGN_OR_RETURN(PartitionSpec spec, ResolvePartitionSpec(iceberg_schema, layout.partition));
  properties.emplace("write.format.default", "parquet");
  properties.emplace("write.parquet.compression-codec", "zstd");
  properties.emplace(kCreatedByCatalogProperty, catalog->identity());
  // Not in a folder that holds another catalog's (or writer's) table: each would take the
  // other's files for leftovers and remove them.
  TF_ASSIGN_OR_RETURN(auto foreign, ForeignTablesAt(location, "", catalog->identity()));
  if (!foreign.empty()) {
    const ForeignTable& f = foreign.front();
    return Status::AlreadyExists(
        "cannot create table " + id.ToString() + " at " + location + ": the folder holds " +
        (f.created_by.empty() ? std::string("a table another writer made")
                              : "the table of catalog " + f.created_by) +
        " (" + f.metadata_file +
        "). Two catalogs must not share a table folder: give this catalog a warehouse of its "
        "own, or use that catalog");
  }
  auto table = std::unique_ptr<Table>(new Table(catalog, id));
  int32_t last_partition_id = spec.fields.empty() ? 999 : spec.fields.back().field_id;
  table->metadata_ = NewTableMetadata(location, iceberg_schema, ids.max_id, PartitionSpecJson(spec),
                                      last_partition_id, std::move(properties));
  if (!layout.sort.empty()) {
    TF_ASSIGN_OR_RETURN(auto order, SortOrderJson(iceberg_schema, layout.sort, 1));
    table->metadata_.sort_orders.push_back(order);
    table->metadata_.default_sort_order_id = 1;
  }
  table->staged_ = true;
  return table;
}

Result<std::unique_ptr<Table>> Table::Create(Catalog* catalog, const TableIdentifier& id,
                                             const std::string& location,
                                             const arrow::Schema& schema, const TableLayout& layout,
                                             std::map<std::string, std::string> properties) {
  TF_ASSIGN_OR_RETURN(auto table,
                      Stage(catalog, id, location, schema, layout, std::move(properties)));
  TF_RETURN_IF_ERROR(table->Register());
  return table;
}

Status Table::Register() {
  TF_ASSIGN_OR_RETURN(std::string root, LocalLocation());
  std::string file = root + "/metadata/" + MetadataFileName(0);
  TF_RETURN_IF_ERROR(WriteFileAtomic(file, SerializeTableMetadata(metadata_)));
  TF_RETURN_IF_ERROR(catalog_->CreateNamespace(id_.ns));
  Status created = catalog_->CreateTable(id_, ToFileUri(file));
  if (!created.ok()) {
    (void)RemoveFileIfExists(file);
    return created;
  }
  metadata_location_ = ToFileUri(file);
  staged_ = false;
  return Status::OK();
}

Result<std::string> Table::LocalLocation() const { return LocalPathFromUri(metadata_.location); }

Result<PartitionSpec> Table::CurrentPartitionSpec() const {
  const nlohmann::json* spec = DefaultPartitionSpec(metadata_);
  const nlohmann::json* schema = CurrentSchema(metadata_);
  if (spec == nullptr || schema == nullptr) {
    return Status::Invalid("table " + id_.ToString() + " has no default spec or schema");
  }
  return ParsePartitionSpec(*spec, *schema);
}

Result<std::vector<SortKey>> Table::DefaultSortKeys() const {
  std::vector<SortKey> keys;
  if (metadata_.default_sort_order_id == 0) return keys;
  const nlohmann::json* current = CurrentSchema(metadata_);
  TF_ASSIGN_OR_RETURN(IcebergFieldIds ids, FieldIdsOfIcebergSchema(*current));
  for (const auto& order : metadata_.sort_orders) {
    if (order.value("order-id", -1) != metadata_.default_sort_order_id) continue;
    for (const auto& f : order.at("fields")) {
      for (const auto& [path, fid] : ids.by_path) {
        if (fid == f.at("source-id").get<int32_t>()) {
          SortKey key{path, f.value("direction", "asc") == "desc", std::nullopt};
          if (f.contains("null-order")) key.nulls_first = f.at("null-order") == "nulls-first";
          keys.push_back(std::move(key));
        }
      }
    }
  }
  return keys;
}

Result<std::unique_ptr<DataWriter>> Table::NewDataWriter(std::shared_ptr<arrow::Schema> schema,
                                                         DataWriterOptions options) const {
  TF_ASSIGN_OR_RETURN(std::string root, LocalLocation());
  TF_ASSIGN_OR_RETURN(PartitionSpec spec, CurrentPartitionSpec());
  TF_ASSIGN_OR_RETURN(Partitioner partitioner, Partitioner::Make(spec, *schema));
  if (options.sort.empty() && metadata_.default_sort_order_id != 0) {
    TF_ASSIGN_OR_RETURN(options.sort, DefaultSortKeys());
    options.sort_order_id = metadata_.default_sort_order_id;
  }
  // Java's OutputFileFactory naming: partitionId-taskId-operationId-fileCount.
  return std::make_unique<DataWriter>(root + "/data", "00000-0-" + NewUuid(), std::move(schema),
                                      std::move(partitioner), std::move(options));
}

Result<std::unique_ptr<RowWriter>> Table::NewRowWriter(std::shared_ptr<arrow::Schema> schema,
                                                       RowEncoderFactory encoder,
                                                       RowWriterOptions options,
                                                       ThreadPool* pool) const {
  TF_ASSIGN_OR_RETURN(std::string root, LocalLocation());
  TF_ASSIGN_OR_RETURN(PartitionSpec spec, CurrentPartitionSpec());
  if (metadata_.default_sort_order_id != 0) options.sort_order_id = metadata_.default_sort_order_id;
  return std::make_unique<RowWriter>(root + "/data", "00000-0-" + NewUuid(), std::move(schema),
                                     std::move(spec), std::move(encoder), std::move(options), pool);
}

Result<std::vector<DataFile>> Table::WriteDataFiles(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
    DataWriterOptions options) const {
  TF_ASSIGN_OR_RETURN(auto writer, NewDataWriter(schema, std::move(options)));
  for (const auto& b : batches) TF_RETURN_IF_ERROR(writer->Write(b));
  return writer->Finish();
}

namespace {

// The fields of a table's default sort order (null when it has none), to compare two tables'.
nlohmann::json DefaultSortFields(const TableMetadata& metadata) {
  for (const auto& order : metadata.sort_orders) {
    if (order.value("order-id", -1) == metadata.default_sort_order_id) {
      return order.value("fields", nlohmann::json::array());
    }
  }
  return nullptr;
}

// A data file removed before its commit would leave the new snapshot pointing at nothing. The
// usual culprit is another process's orphan cleanup with a minimum age shorter than this write.
Status DataFilesExist(const std::vector<DataFile>& files) {
  for (const auto& f : files) {
    TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(f.file_path));
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (ec) return Status::IOError("data file " + path + ": " + ec.message());
    if (!exists) {
      return Status::IOError("data file " + path +
                             " is gone before its commit, so nothing was committed: another "
                             "process removed it (orphan cleanup whose minimum age is shorter than "
                             "this write took?); run again");
    }
  }
  return Status::OK();
}

}  // namespace

Result<int64_t> Table::Append(const std::vector<DataFile>& files, const arrow::Schema& schema,
                              const AppendOptions& options) {
  if (options.maybe_committed) *options.maybe_committed = false;
  if (staged_) {
    Status registered = Register();
    if (registered.code() == StatusCode::kAlreadyExists) {
      // Another writer created it meanwhile: append to theirs if the layout matches ours.
      const nlohmann::json our_spec = *DefaultPartitionSpec(metadata_);
      const nlohmann::json our_sort = DefaultSortFields(metadata_);
      TF_RETURN_IF_ERROR(Refresh());
      staged_ = false;
      // Our files are partitioned and sorted as ours says: they would claim theirs.
      const bool same_spec = *DefaultPartitionSpec(metadata_) == our_spec;
      if (!same_spec || DefaultSortFields(metadata_) != our_sort) {
        return Status::Conflict(
            "table " + id_.ToString() + " was created by another writer with a different " +
            (same_spec ? "sort order" : "partition spec") + "; re-run to write in its layout");
      }
    } else if (!registered.ok()) {
      return registered;
    }
  }
  TF_ASSIGN_OR_RETURN(std::string root, LocalLocation());
  const int64_t snapshot_id = NewSnapshotId();
  const std::string commit_uuid = NewUuid();

  // The manifest is written once: ADDED entries inherit the snapshot's sequence number, so the
  // same file serves every attempt.
  ManifestWriteOptions manifest_options;
  manifest_options.snapshot_id = snapshot_id;
  TF_ASSIGN_OR_RETURN(manifest_options.spec, CurrentPartitionSpec());
  std::vector<ManifestEntry> entries;
  for (const auto& f : files) entries.push_back({EntryStatus::kAdded, snapshot_id, {}, {}, f});
  std::string manifest_path = root + "/metadata/" + commit_uuid + "-m0.avro";

  std::optional<ManifestFile> manifest;
  constexpr int kGuardAttemptsPerAttempt = 4;
  int lost_here = 0, lost_on_guards = 0;
  for (int attempt = 1;; ++attempt) {
    Status checked = options.check ? options.check(metadata_) : Status::OK();
    if (checked.ok()) checked = DataFilesExist(files);
    if (!checked.ok()) {
      if (manifest) (void)RemoveFileIfExists(manifest_path);
      return checked;
    }
    TableMetadata next = metadata_;
    // Schema: a proto that gained fields makes a new current schema in this same commit: the
    // table's, with those fields added (not the rows' own, which would undo what other writers
    // changed: a column pyiceberg added, a doc).
    TF_ASSIGN_OR_RETURN(nlohmann::json iceberg_schema, IcebergSchemaFromArrow(schema, 0));
    TF_ASSIGN_OR_RETURN(IcebergFieldIds ids, FieldIdsOfIcebergSchema(iceberg_schema));
    if (const nlohmann::json* table_schema = CurrentSchema(next)) {
      TF_ASSIGN_OR_RETURN(iceberg_schema, MergeSchemas(*table_schema, iceberg_schema));
    }
    SetCurrentSchema(next, iceberg_schema, std::max(ids.max_id, next.last_column_id));
    const nlohmann::json* current_schema = CurrentSchema(next);
    // A commit that adds no file (a run of replays only) writes no manifest: an empty one would
    // stay in every later manifest list, opened by every scan plan (Java and pyiceberg skip it).
    if (!manifest && !files.empty()) {
      manifest_options.table_schema_json = current_schema->dump();
      manifest_options.schema_id = next.current_schema_id;
      TF_ASSIGN_OR_RETURN(manifest, WriteManifest(manifest_path, ToFileUri(manifest_path),
                                                  manifest_options, entries));
      CrashPoint("manifest-written");
    }
    const Snapshot* parent = CurrentSnapshot(next);
    const int64_t sequence_number = next.last_sequence_number + 1;
    std::vector<ManifestFile> manifests;
    if (manifest) {
      ManifestFile added = *manifest;
      added.sequence_number = sequence_number;
      added.min_sequence_number = sequence_number;
      manifests.push_back(added);
    }
    std::vector<std::string> deleted_manifests;  // this attempt's, removed if it loses
    ReplacedFiles replaced;
    if (parent != nullptr) {
      TF_ASSIGN_OR_RETURN(std::string list_path, LocalPathFromUri(parent->manifest_list));
      TF_ASSIGN_OR_RETURN(auto existing, ReadManifestList(list_path));
      if (!options.replace_all) {
        manifests.insert(manifests.end(), existing.begin(), existing.end());
      } else {
        std::string prefix = root + "/metadata/" + commit_uuid + "-a" + std::to_string(attempt);
        TF_RETURN_IF_ERROR(MarkAllDeleted(existing, snapshot_id, sequence_number, prefix,
                                          &manifests, &deleted_manifests, &replaced));
      }
    }
    std::string list_path = root + "/metadata/snap-" + std::to_string(snapshot_id) + "-" +
                            std::to_string(attempt) + "-" + commit_uuid + ".avro";
    TF_RETURN_IF_ERROR(WriteManifestList(
        list_path, snapshot_id, parent ? std::optional<int64_t>(parent->snapshot_id) : std::nullopt,
        sequence_number, manifests));

    const int64_t now = CurrentTimeMs();
    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id;
    if (parent != nullptr) snapshot.parent_snapshot_id = parent->snapshot_id;
    snapshot.sequence_number = sequence_number;
    snapshot.timestamp_ms = now;
    snapshot.manifest_list = ToFileUri(list_path);
    snapshot.summary =
        AppendSummary(options.replace_all ? nullptr : parent, files, options.summary);
    // Replacing nothing (a table's first content) only adds files: the spec's "append", which
    // incremental readers can follow, where an "overwrite" stops them.
    if (options.replace_all && replaced.files > 0) {
      snapshot.summary["operation"] = "overwrite";
      snapshot.summary["deleted-data-files"] = std::to_string(replaced.files);
      snapshot.summary["deleted-records"] = std::to_string(replaced.records);
    }
    snapshot.schema_id = next.current_schema_id;
    AddSnapshot(next, snapshot, now);
    RecordPreviousMetadataFile(next, metadata_location_, metadata_.last_updated_ms);
    int32_t version = MetadataVersionFromLocation(metadata_location_) + 1;
    std::string metadata_path = root + "/metadata/" + MetadataFileName(version);
    TF_RETURN_IF_ERROR(WriteFileAtomic(metadata_path, SerializeTableMetadata(next)));
    CrashPoint("metadata-written");
    PausePoint("before-catalog-swap:" + id_.name);  // checked, about to swap

    if (options.maybe_committed) *options.maybe_committed = true;
    Status swapped =
        catalog_->SwapMetadataLocation(id_, metadata_location_, ToFileUri(metadata_path),
                                       options.guards ? *options.guards : std::vector<SwapGuard>{});
    if (options.maybe_committed) {
      *options.maybe_committed = !swapped.ok() && swapped.code() != StatusCode::kConflict &&
                                 swapped.code() != StatusCode::kUnavailable;
    }
    if (swapped.ok()) {
      CrashPoint("catalog-swapped");
      CrashPoint("catalog-swapped:" + id_.name);  // after the commit of one given table
      metadata_ = std::move(next);
      metadata_location_ = ToFileUri(metadata_path);
      return snapshot_id;
    }
    if (swapped.code() != StatusCode::kConflict && swapped.code() != StatusCode::kUnavailable) {
      // The catalog cannot say whether its update landed: if it did, the table points at these
      // files, so they stay (orphan cleanup removes them later if it did not).
      return swapped.WithContext("commit to " + id_.ToString() + " (it may or may not have " +
                                 "landed; the next run finds out)");
    }
    (void)RemoveFileIfExists(metadata_path);
    (void)RemoveFileIfExists(list_path);
    for (const auto& m : deleted_manifests) (void)RemoveFileIfExists(m);
    // A busy catalog was waited for already (its busy timeout): the run stops, nothing changed.
    if (swapped.code() == StatusCode::kUnavailable) {
      (void)RemoveFileIfExists(manifest_path);
      return swapped.WithContext("commit to " + id_.ToString() + " did not happen");
    }
    // A race lost on this table counts towards max_attempts. One lost only on a guarded table
    // (this one unchanged) counts apart, with more room: every pipeline of a namespace commits
    // to its one quarantine table, and their commits would otherwise use up this one's tries.
    const std::string before = metadata_location_;
    TF_RETURN_IF_ERROR(Refresh());
    const bool ours_moved = metadata_location_ != before;
    const int lost = ours_moved ? ++lost_here : ++lost_on_guards;
    if (lost >=
        (ours_moved ? options.max_attempts : kGuardAttemptsPerAttempt * options.max_attempts)) {
      (void)RemoveFileIfExists(manifest_path);
      return swapped.WithContext("commit to " + id_.ToString() + " after " +
                                 std::to_string(attempt) + " attempts");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * std::min(lost, 10)));
  }
}

Result<std::vector<DataFile>> Table::LiveDataFiles(std::optional<int64_t> snapshot_id) const {
  const Snapshot* snap =
      snapshot_id ? FindSnapshot(metadata_, *snapshot_id) : CurrentSnapshot(metadata_);
  std::vector<DataFile> out;
  if (snapshot_id && snap == nullptr) {
    return Status::NotFound("table " + id_.ToString() + " has no snapshot " +
                            std::to_string(*snapshot_id));
  }
  if (snap == nullptr) return out;
  TF_ASSIGN_OR_RETURN(std::string list_path, LocalPathFromUri(snap->manifest_list));
  TF_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(list_path));
  for (const auto& m : manifests) {
    if (m.content != 0) continue;
    TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(m.manifest_path));
    TF_ASSIGN_OR_RETURN(auto entries, ReadManifest(path));
    for (auto& e : entries) {
      if (e.status != EntryStatus::kDeleted) out.push_back(std::move(e.data_file));
    }
  }
  return out;
}

}  // namespace tradeflow::lake
