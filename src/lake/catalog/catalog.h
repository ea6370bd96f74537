// Catalog: where an Iceberg table's current metadata file is recorded, and how commits become
// atomic.
//
// The catalog maps (namespace, table name) to the location of the table's current
// metadata.json. A commit writes a new metadata file first and then calls SwapMetadataLocation(),
// a compare-and-swap on that pointer: it succeeds only if the pointer still holds the location
// the writer started from. A writer that loses the race gets Status::Conflict and must reload
// the table, re-apply its change on top of the new metadata and try again (Iceberg "Metastore
// Tables" protocol). Implementations lay their rows out exactly like Iceberg Java's JdbcCatalog
// and pyiceberg's SqlCatalog, so Spark, Trino and pyiceberg can share the same catalog.
//
// Namespaces are single-level strings without '.': Java and pyiceberg read a '.' as a level
// separator, and Trino maps one level to one schema.
//
// Thread-compatible: use one Catalog object per thread (each has its own connection); several
// Catalog objects, in any number of threads or processes, may share one database.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake {

struct TableIdentifier {
  std::string ns;    // namespace, e.g. "trading"
  std::string name;  // table name, e.g. "trades"

  std::string ToString() const;  // "trading.trades"

  friend bool operator==(const TableIdentifier&, const TableIdentifier&) = default;
  friend auto operator<=>(const TableIdentifier&, const TableIdentifier&) = default;
};

// Another table a commit depends on: it must still have this metadata location (nullopt: it must
// not exist) when the commit's swap happens.
struct SwapGuard {
  TableIdentifier id;
  std::optional<std::string> metadata_location;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // The catalog name that scopes every row (column catalog_name). Spark, Trino and pyiceberg must
  // be configured with the same name to see these tables.
  virtual const std::string& name() const = 0;

  // Which catalog this is, for the tables it creates to record (table property
  // tradeflow.catalog): two catalogs must not create tables in one folder, where each would
  // take the other's files for its own leftovers (lake/orphan_files.h).
  virtual std::string identity() const = 0;

  // The names of the catalogs whose tables share this one's store (an SQL catalog's database
  // holds any number), this one's included if it has any: for a reader that gave a wrong name.
  virtual Result<std::vector<std::string>> CatalogNamesInStore() = 0;

  // Creates the namespace; OK if it exists already.
  virtual Status CreateNamespace(const std::string& ns) = 0;

  // Every namespace of this catalog, sorted: those created explicitly and those holding tables.
  virtual Result<std::vector<std::string>> ListNamespaces() = 0;

  // Tables (not views) of namespace `ns`, or of every namespace when `ns` is empty; sorted.
  // An unknown namespace yields an empty list.
  virtual Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) = 0;

  // The table's current metadata location, or std::nullopt if the table does not exist.
  virtual Result<std::optional<std::string>> LoadMetadataLocation(const TableIdentifier& id) = 0;

  // Registers a new table whose first metadata file is `metadata_location` (already written).
  // Creates the namespace if missing. AlreadyExists if a table or view has that name.
  virtual Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) = 0;

  // Atomically replaces the table's metadata location `expected_location` by `new_location` and
  // records `expected_location` as the previous one. Conflict if the table's current location is
  // not `expected_location` (another writer committed first) or the table is gone: reload and
  // retry; Conflict too if a table of `guards` is not where its guard says (in the same
  // transaction: a writer whose commit depends on another table, as checked, commits only if
  // that table is still as checked). Unavailable if the catalog was busy (locked by another
  // writer for longer than the wait): nothing changed. Any other error leaves it unknown whether
  // the swap happened.
  virtual Status SwapMetadataLocation(const TableIdentifier& id,
                                      const std::string& expected_location,
                                      const std::string& new_location,
                                      const std::vector<SwapGuard>& guards = {}) = 0;

  // Removes the table's catalog row (files are left alone). NotFound if there is no such table.
  virtual Status DropTable(const TableIdentifier& id) = 0;
};

// Checks shared by implementations, so a name accepted by one catalog is accepted by all.
// Limits follow the VARCHAR sizes of the JdbcCatalog tables, which PostgreSQL enforces.
Status ValidateNamespace(const std::string& ns);
Status ValidateTableIdentifier(const TableIdentifier& id);
Status ValidateMetadataLocation(const std::string& location);

}  // namespace tradeflow::lake
