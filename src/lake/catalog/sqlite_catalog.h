// Catalog backed by a SQLite database file, laid out exactly like Iceberg Java's JdbcCatalog (V1
// schema, with iceberg_type) and pyiceberg 0.12's SqlCatalog:
//
//   iceberg_tables(catalog_name, table_namespace, table_name,          -- primary key
//                  metadata_location, previous_metadata_location, iceberg_type)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, -- primary key
//                                property_value)
//
// so `SqlCatalog("<catalog_name>", uri="sqlite:///<db_path>")` in pyiceberg, or Spark/Trino's
// JDBC catalog with the same catalog name, sees the same tables. Table rows are written with
// iceberg_type = 'TABLE'; rows with iceberg_type NULL (older writers) also count as tables, rows
// of other types (views) are ignored. A namespace is created as the row (ns, 'exists', 'true').
//
// Concurrency: the database runs in WAL mode (readers never block the writer) with a busy
// timeout, and every write is one BEGIN IMMEDIATE transaction, so writers from many processes
// queue for the lock instead of failing with "database is locked". SQLite still serializes all
// writers of a database; use the PostgreSQL catalog for heavy multi-writer loads.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "lake/catalog/catalog.h"

namespace tradeflow::lake {

// How long a writer waits for another connection's write lock before giving up.
inline constexpr int kSqliteBusyTimeoutMs = 30'000;

// Opens the catalog `catalog_name` in the SQLite database `db_path`, creating the parent folder,
// the database file and the two catalog tables when missing. An existing iceberg_tables without
// the iceberg_type column (JdbcCatalog V0 layout) gets it added, as Java's V1 migration does.
Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& db_path,
                                                   const std::string& catalog_name);

// Opens an existing catalog to read it: the database is opened read-only, nothing is created,
// and no lock is taken that a writer would wait for. Invalid when the database holds no
// iceberg_tables table (another application's SQLite file: it is left untouched).
Result<std::unique_ptr<Catalog>> OpenSqliteCatalogToRead(const std::string& db_path,
                                                         const std::string& catalog_name);

}  // namespace tradeflow::lake
