// What a table already holds, so that a run ingests every input exactly once.
//
// Each commit records the SHA-256 of the input files it absorbed in its snapshot summary
// (tradeflow.input-sha256). The commit is atomic, so "the file's hash is in a snapshot of the
// table" is the same as "the file's records are in the table": a run that was killed before its
// commit left no hash behind and its inputs are simply read again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lake/table.h"
#include "validate/duplicate_index.h"

namespace tradeflow::pipeline {

inline constexpr char kInputHashesKey[] = "tradeflow.input-sha256";
// In a quarantine snapshot: the inputs whose rejects an interrupted run had stored already, and
// for which this snapshot adds the rejects that are new (a version committed since, say). Those
// inputs are not in kInputHashesKey, whose snapshot holds all of an input's rejects.
inline constexpr char kLateInputHashesKey[] = "tradeflow.late-input-sha256";
// In a trade snapshot: the quarantine table's last sequence number when it was committed (after
// the run's own quarantine commit), which orders the two tables' snapshots without clocks.
inline constexpr char kQuarantineSequenceKey[] = "tradeflow.quarantine-sequence";
// In both tables' snapshots: the trade table the run wrote to ("trading.trade_events"). One
// quarantine table may hold the rejects of pipelines writing to several trade tables (a staging
// copy of production's, say), which read the same files: each must see its own rejects only.
inline constexpr char kTradeTableKey[] = "tradeflow.trade-table";

// The quarantine table's metadata as the runs into `trade_table` see it: without the snapshots
// of runs into other trade tables. (Snapshots from before tradeflow recorded the trade table
// are kept.)
lake::TableMetadata QuarantineOf(const lake::TableMetadata& quarantine,
                                 const std::string& trade_table);

// The run ids of the quarantine snapshots that QuarantineOf leaves out: their rows are another
// trade table's rejects.
std::set<std::string> OtherTablesRuns(const lake::TableMetadata& quarantine,
                                      const std::string& trade_table);

// In both tables' snapshots: the run's mapping.version, and its MappingSpec::fingerprint. A
// fingerprint computed otherwise (a later canonical form) gets a key of its own, so that it is
// never compared with one of these.
inline constexpr char kMappingVersionKey[] = "tradeflow.mapping-version";
inline constexpr char kMappingFingerprintKey[] = "tradeflow.mapping-sha256";

struct RecordedMapping {
  int64_t snapshot_id = 0;
  std::string run_id;
  std::string pipeline;
  std::string fingerprint;
};

// The trade table's latest snapshot (by sequence number) by `pipeline` that recorded mapping
// `version` with a fingerprint; none when no snapshot did (those from before tradeflow recorded
// it are passed).
std::optional<RecordedMapping> LastRecordedMapping(const lake::TableMetadata& trades,
                                                   const std::string& version,
                                                   const std::string& pipeline);

// The run ids of the table's snapshots.
std::set<std::string> RunsOf(const lake::TableMetadata& metadata);

struct IngestedInput {
  int64_t snapshot_id = 0;
  int64_t timestamp_ms = 0;
};

// The items of a comma-separated list, empty ones left out: a snapshot summary's hashes
// (kInputHashesKey and the like), `tradeflow show --columns`.
std::vector<std::string> CommaList(const std::string& list);

// sha256 → the snapshot that absorbed it.
std::map<std::string, IngestedInput> IngestedInputs(const lake::TableMetadata& metadata);

// An input whose rejects a run stored in the quarantine table, where the trade table does not
// record it as ingested: the run stopped between its two commits.
struct RejectsWithoutTrades {
  std::string path;  // as that run named it
  std::string run_id;
  int64_t quarantined = 0;
};

// sha256 → such an input, among the quarantine snapshots of `pipeline`: those of runs that
// have no snapshot in `all_trades` (the trade table's whole metadata: a rollback does not undo
// a commit), of inputs none of its snapshots records, and no older than its oldest snapshot
// (before that, expired snapshots may have recorded them). `quarantine` as the run sees it
// (CurrentLineage, QuarantineOf). The next run over the same content finishes its reading; one
// whose file has changed since does not.
std::map<std::string, RejectsWithoutTrades> InputsWithRejectsOnly(
    const lake::TableMetadata& all_trades, const lake::TableMetadata& quarantine,
    const std::string& pipeline);

// Adds (source_system, source_trade_id, source_version) and content_hash of every row live in
// the table to `index`. Reads only those four columns.
Status LoadExistingTradeKeys(const lake::Table& table, validate::DuplicateIndex* index);

// Inputs the trade table records as ingested whose rejects a later run stored in the quarantine
// table without then committing its trades: an interrupted --reread. sha256 → the run ids of
// those quarantine snapshots (committed after the input's last trade snapshot, by a run with
// no trade snapshot). "After" by the quarantine sequence number that trade snapshot recorded
// (kQuarantineSequenceKey); for one written before tradeflow recorded it, by time stamps. The
// next run finishes such a reading as it finishes an interrupted first one: it reads the input
// again and skips the rejects that run stored.
// `trade_runs`: the runs that committed to the trade table (RunsOf its whole metadata, where
// `trades` may be its current history only); by default, those of `trades`.
std::map<std::string, std::set<std::string>> UnfinishedReadings(
    const lake::TableMetadata& trades, const lake::TableMetadata& quarantine,
    const std::set<std::string>& trade_runs);
std::map<std::string, std::set<std::string>> UnfinishedReadings(
    const lake::TableMetadata& trades, const lake::TableMetadata& quarantine);

// (input_sha256, source_location) of every row live in the quarantine table whose input is one
// of `inputs`: the rejects an interrupted run already stored for them. For an input in
// `only_runs`, only the rows of those runs (an unfinished reading's, not an earlier complete
// one's). Rows of `skip_runs` (OtherTablesRuns) are not this table's.
Result<std::set<std::pair<std::string, std::string>>> StoredRejects(
    const lake::Table& quarantine, const std::set<std::string>& inputs,
    const std::map<std::string, std::set<std::string>>& only_runs = {},
    const std::set<std::string>& skip_runs = {});

// Calls `fn` with the trade version key and content hash (0 when not known: a row, or a file,
// written before tradeflow kept it) of every row of `files` (trade table data files), in file
// order; stops at the first error `fn` returns.
Status ForEachTradeKey(
    const std::vector<lake::DataFile>& files,
    const std::function<Status(const validate::DuplicateKey&, int64_t content_hash)>& fn);

// The data files live in the table now that were not live in snapshot `base` (all live files
// when there was no snapshot then): what other writers committed since.
Result<std::vector<lake::DataFile>> FilesAddedSince(const lake::Table& table,
                                                    std::optional<int64_t> base);

}  // namespace tradeflow::pipeline
