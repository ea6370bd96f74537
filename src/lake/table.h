// One Iceberg table in a catalog: create, load, write data files and commit them atomically.
//
// Commit protocol (spec "Metastore Tables"; reference notes §7):
//   1. the new data files are written and made durable (WriteDataFiles);
//   2. one manifest lists them, written once; its entries inherit their sequence number;
//   3. for each attempt: check the table against the caller's conditions (another writer may
//      have committed since the caller planned its work), write a manifest list (the
//      new manifest plus every manifest of the current snapshot) and metadata file version N+1,
//      then compare-and-swap the catalog pointer from version N. A lost race deletes that
//      attempt's two files and retries; a failed check deletes the manifest and gives up.
// Until the swap succeeds readers see the previous snapshot, whatever happens to the process:
// the table is never half-written. Files of a crashed attempt are unreferenced, never read.
//
// The lake module knows nothing of trades: tables take any Arrow schema whose fields carry
// PARQUET:field_id.
#pragma once

#include <arrow/record_batch.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/catalog/catalog.h"
#include "lake/data_writer.h"
#include "lake/manifest.h"
#include "lake/parquet_writer.h"
#include "lake/row_writer.h"
#include "lake/table_metadata.h"

namespace tradeflow::lake {

// How a new table lays out its data: partitions and the order of rows inside files.
struct TableLayout {
  std::vector<PartitionRequest> partition;
  std::vector<SortKey> sort;  // recorded as the table's sort order
};

struct AppendOptions {
  // Extra snapshot summary properties (run id, input files, counts). Keys should be namespaced,
  // e.g. "tradeflow.run-id".
  std::map<std::string, std::string> summary;
  // Called before each attempt with the table this writer is about to commit on: as loaded for
  // the first attempt, as re-read after each lost race. The caller's chance to see what other
  // writers committed meanwhile (as Iceberg's validateNoConflictingAppends does): what it misses
  // on the first attempt makes the swap fail, and the next attempt sees it. A non-OK status ends
  // the commit with that status and nothing committed. `current` is the table's own metadata(),
  // so the check may also read the table (LiveDataFiles) as it is then.
  std::function<Status(const TableMetadata& current)> check;
  // Optional: the other tables `check` read, as it read them (it refills them on each call). The
  // swap happens only if they are still so (Catalog::SwapMetadataLocation), else the attempt
  // counts as a lost race and the next one checks again.
  std::vector<SwapGuard>* guards = nullptr;
  // Races lost on this table before giving up (Conflict); races lost only on a guarded table
  // have four times as many.
  int max_attempts = 5;
  // The new files replace every live file (operation "overwrite", or "append" when there was
  // none): for tables that hold a current state, such as reference data. The replaced files are
  // listed as DELETED.
  bool replace_all = false;
  // Optional: set when Append fails whether the commit may have happened all the same (the
  // catalog's swap failed in a way that does not say, such as an I/O error on its COMMIT); false
  // for a failure before the swap or a lost race, after which the files are certainly not the
  // table's and the caller may remove them.
  bool* maybe_committed = nullptr;
};

class Table {
 public:
  // Loads the table; NotFound if the catalog has no such table.
  static Result<std::unique_ptr<Table>> Load(Catalog* catalog, const TableIdentifier& id);

  // Creates the table at `location` (a file:// URI) with `schema`, `layout` and no snapshot.
  // AlreadyExists if the catalog has it.
  static Result<std::unique_ptr<Table>> Create(Catalog* catalog, const TableIdentifier& id,
                                               const std::string& location,
                                               const arrow::Schema& schema,
                                               const TableLayout& layout = {},
                                               std::map<std::string, std::string> properties = {});

  // Like Create, but nothing is written and the catalog is not touched until the first Append,
  // which creates the table in the same go. A run that fails before committing thus leaves no
  // trace, not even an empty table.
  static Result<std::unique_ptr<Table>> Stage(Catalog* catalog, const TableIdentifier& id,
                                              const std::string& location,
                                              const arrow::Schema& schema,
                                              const TableLayout& layout = {},
                                              std::map<std::string, std::string> properties = {});

  // True until a staged table is created in the catalog.
  bool staged() const { return staged_; }

  const TableIdentifier& id() const { return id_; }
  const TableMetadata& metadata() const { return metadata_; }
  // The identity of the catalog this table object works with (Catalog::identity()).
  std::string catalog_identity() const { return catalog_ != nullptr ? catalog_->identity() : ""; }
  // The catalog this table object works with (null for a table read without one).
  Catalog* catalog() const { return catalog_; }
  const std::string& metadata_location() const { return metadata_location_; }

  // Re-reads the current metadata from the catalog.
  Status Refresh();

  // Where the table's partition spec and sort order differ from `layout`, one sentence each
  // ("table trading.trade_events keeps the partitioning it was created with, month(trade_date),
  // identity(product.asset_class); the partitioning asked for (day(trade_date)) applies to a new
  // table only");
  // empty when they match. An existing table keeps the layout it was created with (changing it
  // is table evolution, which nothing here does), so a writer that asks for another should say.
  Result<std::vector<std::string>> LayoutDifferences(const TableLayout& layout) const;

  // What the table's write properties (set by another tool: Spark, pyiceberg; or the target size
  // recorded when the table was created, which a pipeline's later target_file_mb differs from)
  // ask for that this writer does otherwise: files rolled at `target_file_bytes`, Parquet
  // compressed with zstd, data files under <location>/data. One sentence each; empty when they
  // agree or are unset.
  std::vector<std::string> WritePropertyDifferences(int64_t target_file_bytes) const;

  // The table as the catalog holds it now, read afresh (this object is left as it is): another
  // writer may have committed to it, or created it while this one is staged. Null if the catalog
  // has no such table.
  Result<std::unique_ptr<Table>> LoadCurrent() const;

  // A writer of data files under <location>/data/ in the table's partition spec and sort order.
  // The files are not visible until committed with Append(). `options.sort` is filled from the
  // table's sort order when empty.
  Result<std::unique_ptr<DataWriter>> NewDataWriter(std::shared_ptr<arrow::Schema> schema,
                                                    DataWriterOptions options = {}) const;

  // A writer of rows the caller encodes, sorts and partitions itself (see row_writer.h): the
  // caller computes each row's partition tuple with CurrentPartitionSpec() and its sort key from
  // DefaultSortKeys(). Files are marked with the table's default sort order.
  Result<std::unique_ptr<RowWriter>> NewRowWriter(std::shared_ptr<arrow::Schema> schema,
                                                  RowEncoderFactory encoder,
                                                  RowWriterOptions options = {},
                                                  ThreadPool* pool = nullptr) const;

  // The columns of the table's default sort order, with their directions and null orders; empty
  // if unsorted.
  Result<std::vector<SortKey>> DefaultSortKeys() const;

  // NewDataWriter + Write each batch + Finish.
  Result<std::vector<DataFile>> WriteDataFiles(
      const std::shared_ptr<arrow::Schema>& schema,
      const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
      DataWriterOptions options = {}) const;

  // The table's current partition spec, with value types.
  Result<PartitionSpec> CurrentPartitionSpec() const;

  // Commits `files` as one append snapshot. If `schema` adds columns to the current schema, the
  // new schema becomes current in the same commit. Returns the new snapshot id.
  Result<int64_t> Append(const std::vector<DataFile>& files, const arrow::Schema& schema,
                         const AppendOptions& options = {});

  // The data files live in a snapshot (current when snapshot_id is empty).
  Result<std::vector<DataFile>> LiveDataFiles(std::optional<int64_t> snapshot_id = {}) const;

 private:
  Table(Catalog* catalog, TableIdentifier id) : catalog_(catalog), id_(std::move(id)) {}

  Result<std::string> LocalLocation() const;
  // Writes metadata version 0 and registers the table in the catalog.
  Status Register();

  Catalog* catalog_;
  TableIdentifier id_;
  TableMetadata metadata_;
  std::string metadata_location_;
  bool staged_ = false;
};

}  // namespace tradeflow::lake
