// Read-only views of tables in a catalog, for the CLI: list tables, schema, snapshots, and a
// sample of rows read back from the Parquet data files of a snapshot.
#pragma once

#include <arrow/table.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/table.h"

namespace tradeflow::pipeline {

struct CatalogLocation {
  std::string path = "lake/catalog.db";
  std::string name = "tradeflow";
  bool given = false;  // the path was given (--catalog), not the default
};

// Opens an existing catalog, given as a path or a URI as catalog.uri takes it (sqlite:///rel);
// NotFound (saying how to create one) if the file is missing.
Result<std::unique_ptr<lake::Catalog>> OpenExistingCatalog(const CatalogLocation& where);

// The table `id` in `catalog`. NotFound lists the tables there are, and says when a table is
// created.
Result<std::unique_ptr<lake::Table>> LoadExistingTable(lake::Catalog* catalog,
                                                       const lake::TableIdentifier& id);

// "namespace.table" → identifier; Invalid if there is no dot.
Result<lake::TableIdentifier> ParseTableName(const std::string& name);

// Rows of a snapshot (current when empty), at most `limit`, columns as stored; null when the
// snapshot has none (a table whose every record went to quarantine, or none yet).
Result<std::shared_ptr<arrow::Table>> ReadRows(const lake::Table& table,
                                               std::optional<int64_t> snapshot_id, int64_t limit);

// Human-readable renderings.
std::string FormatSchema(const lake::TableMetadata& metadata);
std::string FormatSnapshots(const lake::TableMetadata& metadata);
// Invalid naming a column of `columns` that is not a top-level column of `rows`.
Result<std::string> FormatRows(const arrow::Table& rows, const std::vector<std::string>& columns);

}  // namespace tradeflow::pipeline
