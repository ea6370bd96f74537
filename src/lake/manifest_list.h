// Iceberg v2 manifest lists: the Avro file a snapshot points to, one manifest_file record per
// manifest (spec "Manifest Lists"; schema as Java's V2Metadata.MANIFEST_LIST_SCHEMA, field ids
// 500..519, partition summaries as record r508).
//
// The writer always produces v2 lists. The reader also accepts lists written by Java and
// pyiceberg, v1 included: fields are found by field id (then name), and fields v1 lacks
// (content, sequence numbers) read as 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake {

// Min/max summary of one partition field over all entries of a manifest. Bounds use Iceberg's
// single-value binary serialization of the partition type (see SerializePartitionValue).
struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // absent when every value is null
  std::optional<std::string> upper_bound;
};

struct ManifestFile {
  std::string manifest_path;    // URI with scheme, e.g. file:///...
  int64_t manifest_length = 0;  // exact byte size of the manifest file
  int32_t partition_spec_id = 0;
  int32_t content = 0;              // 0 = data, 1 = deletes
  int64_t sequence_number = 0;      // of the snapshot that added the manifest
  int64_t min_sequence_number = 0;  // smallest data sequence number of the live entries
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<FieldSummary> partitions;  // one per partition field of the spec, in order
};

// The Avro writer schema of v2 manifest lists (what goes into avro.schema).
const std::string& ManifestListSchemaJson();

// Writes the manifest list atomically, with header keys snapshot-id, parent-snapshot-id
// ("null" when there is no parent), sequence-number and format-version "2".
Status WriteManifestList(const std::string& local_path, int64_t snapshot_id,
                         std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                         const std::vector<ManifestFile>& manifests);

// Reads a manifest list (codec null or deflate, format v1 or v2). Errors name the file.
Result<std::vector<ManifestFile>> ReadManifestList(const std::string& local_path);

}  // namespace tradeflow::lake
