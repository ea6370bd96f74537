// Iceberg v2 table metadata (the NNNNN-<uuid>.metadata.json file) as a C++ value.
//
// A writer reads the current metadata file, changes it with the functions below (add a snapshot,
// log the previous file, evolve the schema), serializes it to a new file and swaps the catalog
// pointer (see lake/catalog/catalog.h). The model types what a writer needs; schemas, partition
// specs and sort orders stay opaque nlohmann::json objects because the writer copies them rather
// than interprets them. Top-level keys we do not model (statistics, partition-statistics, keys of
// newer spec versions) are kept in `extra` and written back unchanged, so rewriting metadata made
// by Java or pyiceberg loses nothing at the top level. Unknown keys inside snapshots are dropped.
//
// Only format-version 2 is accepted: v1 metadata would need the deprecated `schema` and
// `partition-spec` forms, which we never write, and v3 adds rules (row lineage) we do not keep.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake {

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;  // absent for the table's first snapshot
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;                   // location of the snapshot's manifest list (Avro)
  std::map<std::string, std::string> summary;  // "operation" plus metrics, all strings
  std::optional<int32_t> schema_id;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
};

struct TableMetadata {
  int32_t format_version = 2;
  std::string table_uuid;
  std::string location;  // table root, no trailing '/'
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<nlohmann::json> schemas;  // each has "schema-id"
  int32_t current_schema_id = 0;
  std::vector<nlohmann::json> partition_specs;  // each has "spec-id"
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 0;
  std::vector<nlohmann::json> sort_orders;  // each has "order-id"
  int32_t default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // written as -1 when absent
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  // Branches and tags by name. Serialization always sets "main" to current_snapshot_id (or drops
  // it when there is none); other refs are kept as they are.
  nlohmann::json refs = nlohmann::json::object();
  nlohmann::json extra = nlohmann::json::object();  // unknown top-level keys, written back as-is
};

// Parses metadata JSON. Invalid, with the offending field named, if it is not valid JSON, not
// format-version 2, misses a field v2 requires, or refers to a schema, spec, sort order or
// snapshot that is not there. Callers add the file name with WithContext().
Result<TableMetadata> ParseTableMetadata(std::string_view json);

// Pretty-printed JSON in the usual key order. Never writes the v1 `schema`/`partition-spec` keys.
std::string SerializeTableMetadata(const TableMetadata& metadata);

// Metadata of a new, empty table: fresh table-uuid, last-sequence-number 0, no snapshot, the
// unsorted sort order (id 0). `schema` gets schema-id 0 and `partition_spec` spec-id 0.
TableMetadata NewTableMetadata(std::string location, nlohmann::json schema, int32_t last_column_id,
                               nlohmann::json partition_spec, int32_t last_partition_id,
                               std::map<std::string, std::string> properties);

// Appends `snapshot` and makes it current: current-snapshot-id, refs.main, snapshot-log,
// last-sequence-number (to the snapshot's) and last-updated-ms (to `now_ms`). A snapshot without
// schema_id gets the current schema id.
// REQUIRES: snapshot.sequence_number == metadata.last_sequence_number + 1, a new snapshot id.
void AddSnapshot(TableMetadata& metadata, Snapshot snapshot, int64_t now_ms);

// Appends the metadata file being replaced to metadata-log. Keeps only the newest
// `write.metadata.previous-versions-max` entries (default 100), as Java does.
void RecordPreviousMetadataFile(TableMetadata& metadata, const std::string& previous_location,
                                int64_t timestamp_ms);

// The table's schema `table_schema` with the fields of `written` (the schema a writer's rows
// have) that it lacks added, nested ones included: what a commit of those rows makes current.
// Everything the table's schema has stays as it is (columns, docs and type promotions other
// writers made), so a commit never undoes another writer's schema change, and when `written`
// adds nothing the result equals `table_schema`. Invalid when one field id names two fields
// (another writer gave the id to a column of its own while this writer's was assigned it), or
// when a column's type cannot read the rows' values (neither the same nor a promotion of it).
Result<nlohmann::json> MergeSchemas(const nlohmann::json& table_schema,
                                    const nlohmann::json& written);

// Makes `schema` current. Reuses an existing schema with the same fields and identifier-field-ids,
// otherwise adds `schema` under a new schema-id (max + 1). last-column-id becomes at least
// `last_column_id`.
void SetCurrentSchema(TableMetadata& metadata, nlohmann::json schema, int32_t last_column_id);

// nullptr when there is no current snapshot / no snapshot `id`.
const Snapshot* CurrentSnapshot(const TableMetadata& metadata);
const Snapshot* FindSnapshot(const TableMetadata& metadata, int64_t id);

// The metadata with only the current snapshot and its ancestors: the table's history as a reader
// sees it. A rollback (Iceberg's rollback_to_snapshot) leaves the snapshots after its target in
// the metadata, but not in the history: their data is not in the table.
TableMetadata CurrentLineage(const TableMetadata& metadata);

// The schema / partition spec writers should use; nullptr only for malformed metadata (parsed
// metadata is checked to have them).
const nlohmann::json* CurrentSchema(const TableMetadata& metadata);
const nlohmann::json* DefaultPartitionSpec(const TableMetadata& metadata);

// A random (version 4) UUID in the textual 8-4-4-4-12 lowercase form.
std::string NewUuid();

// A positive, non-zero snapshot id made as Iceberg Java does: the high 64 bits of a random UUID
// XOR the low 64 bits, AND INT64_MAX.
int64_t NewSnapshotId();

// Milliseconds since the Unix epoch, for timestamp-ms / last-updated-ms.
int64_t CurrentTimeMs();

// "00007-<uuid>.metadata.json": the file name of metadata version `version`.
std::string MetadataFileName(int32_t version);

// The version number leading a metadata file name ("…/00007-<uuid>.metadata.json" → 7), or -1 if
// the file name does not start with digits followed by '-'.
int32_t MetadataVersionFromLocation(std::string_view location);

}  // namespace tradeflow::lake
