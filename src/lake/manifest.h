// Iceberg v2 manifest files: the Avro files listing data (or delete) files with their partition
// values and column metrics (spec "Manifests"; schema as Java's V2Metadata manifest_entry, with
// data_file as record r2 and the partition tuple as record r102).
//
// WriteManifest writes one manifest for one partition spec and returns the manifest-list entry
// describing it, so a commit never has to re-read what it just wrote. ReadManifest reads
// manifests written by us, Java or pyiceberg (v1 or v2), returning the entries as stored: ADDED
// entries with null sequence numbers inherit the manifest's sequence number from the manifest
// list, which is the caller's to apply.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/manifest_list.h"
#include "lake/manifest_partition.h"

namespace tradeflow::lake {

struct DataFile {
  int32_t content = 0;    // 0 data, 1 position deletes, 2 equality deletes
  std::string file_path;  // URI with scheme, e.g. file:///...
  std::string file_format = "PARQUET";
  std::vector<PartitionValue> partition;  // one per spec field, in spec order
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;  // exact: Trino trusts it by default
  // Metrics keyed by column field id; empty maps and lists are written as null.
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // single-value binary serialization
  std::map<int32_t, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;  // row-group start offsets, ascending
  std::vector<int32_t> equality_ids;   // equality delete files only
  std::optional<int32_t> sort_order_id;
  std::optional<std::string> referenced_data_file;  // position deletes for a single data file
};

// Removes the files of `files` (file:// URIs), those already gone included: the data files of a
// write that will not be committed, so that nothing references them.
void RemoveDataFiles(const std::vector<DataFile>& files);

enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;       // data sequence number
  std::optional<int64_t> file_sequence_number;  // sequence number of the adding snapshot
  DataFile data_file;
};

struct ManifestWriteOptions {
  std::string table_schema_json;  // the table's current schema object, incl. "schema-id"
  int32_t schema_id = 0;
  PartitionSpec spec;
  int64_t snapshot_id = 0;      // of the snapshot this manifest is written for
  int64_t sequence_number = 0;  // of that snapshot
};

// Writes the manifest to `local_path` atomically; `uri` is the path other readers will see and
// goes into the returned ManifestFile. Entries are written as follows:
//   ADDED    snapshot_id = options.snapshot_id, sequence numbers null (inherited);
//   EXISTING snapshot_id and both sequence numbers must be set (Invalid otherwise);
//   DELETED  both sequence numbers must be set; snapshot_id defaults to options.snapshot_id.
// All entries must be data files (content 0) or all delete files (content 1 or 2); the manifest's
// "content" header is "data" or "deletes" accordingly. Partition values must match the spec's
// field count and types. The result has the exact byte length, counts, sequence numbers and one
// FieldSummary per spec field (over all entries, deleted ones included, as Java does).
Result<ManifestFile> WriteManifest(const std::string& local_path, const std::string& uri,
                                   const ManifestWriteOptions& options,
                                   const std::vector<ManifestEntry>& entries);

// Everything a manifest holds: its header and its entries.
struct Manifest {
  std::string table_schema_json;     // "schema" header
  std::optional<int32_t> schema_id;  // "schema-id" header (Java does not write it)
  PartitionSpec spec;                // fields from "partition-spec", types from the Avro schema
  int32_t content = 0;               // 0 data, 1 deletes
  std::vector<ManifestEntry> entries;
};

// Reads a manifest. Invalid (naming the file) for malformed files and for partition types
// outside PartitionValueType.
Result<Manifest> ReadManifestFile(const std::string& local_path);

// ReadManifestFile(local_path).entries.
Result<std::vector<ManifestEntry>> ReadManifest(const std::string& local_path);

// The Avro writer schema of v2 manifests for `spec` (what goes into avro.schema).
std::string ManifestEntrySchemaJson(const PartitionSpec& spec);

}  // namespace tradeflow::lake
