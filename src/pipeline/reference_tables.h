// The reference data of a run as Iceberg tables: each kind (counterparties, books, ...) is the
// current-state table ref_<kind> in the trade table's namespace, so that BI and SQL engines see
// the same reference data that the run validated against.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "lake/catalog/catalog.h"
#include "observe/progress.h"
#include "pipeline/reference_loader.h"

namespace tradeflow::pipeline {

struct ReferenceTablesOptions {
  std::string ns;    // the namespace of the tables
  std::string root;  // absolute warehouse folder of the namespace, ending in '/'
  int64_t target_file_bytes = 0;
  std::string run_id;                     // recorded in each snapshot's summary
  std::string pipeline;                   // likewise; replacing another's rows is noted
  observe::Progress* progress = nullptr;  // optional: a line per table replaced
  // Unreferenced files older than this are removed from each table first (lake/orphan_files.h).
  std::chrono::seconds orphan_min_age{86400};
  int64_t* orphans_removed = nullptr;            // optional: adds the number of files removed
  std::vector<std::string>* replaced = nullptr;  // optional: adds "<ns>.ref_<kind>" per table
};

// Kind → the SHA-256 of its files, comma-separated in the order `config` lists them.
using ReferenceHashes = std::map<std::string, std::string>;

// Hashes every reference file. Taken before the files are loaded: a file replaced in between is
// then stored under its old hash, so the next run sees a change and writes it again.
Result<ReferenceHashes> HashReferenceFiles(const ReferenceConfig& config);

// Replaces the content of ref_<kind> with the rows of `reference` for every kind in `hashes`
// (from HashReferenceFiles, before `reference` was loaded, recorded in the snapshot), unless the
// table's current snapshot records the same rows (a hash of them): a kind whose files and
// reference config did not change since the last run is left alone.
// Removes each table's orphaned files first, as the run does for its other tables.
Status CommitReferenceTables(lake::Catalog* catalog, const ReferenceHashes& hashes,
                             const LoadedReference& reference,
                             const ReferenceTablesOptions& options);

}  // namespace tradeflow::pipeline
