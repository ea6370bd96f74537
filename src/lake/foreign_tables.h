// Tables that share a folder. Each tradeflow table lives in its own folder
// (<warehouse>/<namespace>/<name>), but two catalogs given one warehouse would put their tables
// of one name in one folder, where each would take the other's files for leftovers of its own
// killed runs and remove them. Tables record the catalog that created them
// (kCreatedByCatalogProperty), so that a folder holding another catalog's table is seen: a new
// table is not created there, and orphan cleanup leaves such a folder alone.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake {

// Table property recording the catalog that created a table (Catalog::identity()).
inline constexpr char kCreatedByCatalogProperty[] = "tradeflow.catalog";

// A table whose metadata lies in a folder that is another table's: another table-uuid, not
// created by the catalog asking (another catalog's table, or another writer's).
struct ForeignTable {
  std::string metadata_file;  // local path of one of its metadata files
  std::string table_uuid;
  std::string created_by;  // its kCreatedByCatalogProperty, or "" when another writer made it
};

// The foreign tables in the metadata folder of `location` (a file:// URI): metadata files of
// another table-uuid than `own_uuid`, except those a table of `catalog_identity` wrote and left
// unregistered (its first commit killed before the catalog took it), which are leftovers.
// Files in `own_files` (local paths, such as the files the table's metadata references) are
// known to be the table's and not read.
Result<std::vector<ForeignTable>> ForeignTablesAt(const std::string& location,
                                                  const std::string& own_uuid,
                                                  const std::string& catalog_identity,
                                                  const std::set<std::string>& own_files = {});

}  // namespace tradeflow::lake
