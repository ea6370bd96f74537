// Removes files under a table's location that no snapshot references: the leftovers of a write or
// commit that was interrupted (a crash, a kill, a lost race that could not clean up).
//
// A file is kept if any snapshot still in the metadata reaches it (its manifest list, the
// manifests in it and the data files they list, whatever the entry status), or if it is the
// current or a logged metadata file. Files younger than `min_age` are kept too: they may belong
// to a writer that is still working (several tradeflow processes may share a table). For a table
// staged but not yet in the catalog, every file under its location is such a leftover.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/foreign_tables.h"
#include "lake/table.h"

namespace tradeflow::lake {

// Returns the local paths removed (or, with dry_run, that would be removed). When the table's
// folder holds a foreign table too, or the current metadata of another table of the catalog (a
// table renamed keeps its folder, where a new table of the old name is then made), nothing is
// removed (each table's files would look like the other's leftovers) and *not_cleaned (if given)
// says why.
Result<std::vector<std::string>> RemoveOrphanFiles(const Table& table, std::chrono::seconds min_age,
                                                   bool dry_run = false,
                                                   std::string* not_cleaned = nullptr);

}  // namespace tradeflow::lake
