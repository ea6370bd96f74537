// The batch run's one class, BatchRun, shared by the files that implement it: batch_run.cc
// (preparing, planning, reading), batch_run_absorb.cc (what becomes of each record, in input
// order) and batch_run_commit.cc (the commits, and what is undone when a run fails). Private to
// pipeline/: RunPipeline (batch_run.h) is the interface.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/crash_points.h"
#include "common/stop_signal.h"
#include "common/thread_pool.h"
#include "lake/catalog/sqlite_catalog.h"
#include "lake/file_io.h"
#include "lake/orphan_files.h"
#include "lake/table.h"
#include "pipeline/bad_records.h"
#include "pipeline/batch_run.h"
#include "pipeline/commit_checks.h"
#include "pipeline/ingest_state.h"
#include "pipeline/quarantine_record.h"
#include "pipeline/record_processor.h"
#include "pipeline/reference_loader.h"
#include "pipeline/reference_tables.h"
#include "pipeline/source_config.h"
#include "pipeline/table_sinks.h"
#include "sources/input_file.h"
#include "tradeflow/quarantine/v1/quarantine.pb.h"
#include "transform/mapper.h"
#include "transform/normalise.h"
#include "transform/reference_data.h"
#include "validate/validator.h"

namespace tradeflow::pipeline::internal {

using tradeflow::quarantine::v1::QuarantineRecord;
using tradeflow::trade::v1::TradeEvent;
using VersionSeen = validate::Validator::VersionSeen;

// What the summary's "quarantined by" lists for records an interrupted run quarantined already.
inline constexpr char kByAnInterruptedRun[] = "an interrupted run";

// Records per chunk handed to a worker: large enough that handing over costs nothing, small
// enough that a chunk's records stay in cache.
inline constexpr size_t kChunkRecords = 1024;
// Rejects are few, but each carries its raw text and mapped JSON: smaller batches and files
// keep them from holding much memory, whatever the reject rate.
inline constexpr int64_t kQuarantineFileBytes = 16LL << 20;
inline constexpr int64_t kQuarantineBatchRows = 1024;

std::string Absolute(const std::string& path);
// The canonical form --reread paths are given in (symbolic links resolved).
std::string Canonical(const std::string& path);
int64_t NowMicros();
// IOError unless files can be created in `folder` (made if missing); `what` names it.
Status CheckWritable(const std::string& folder, const std::string& what);

class BatchRun {
 public:
  // A bad file (past max_bad_records, or not readable to its end): which, and the error.
  struct BadFile {
    std::string sha256;
    std::string path;
    std::string error;
  };

  // Inputs an earlier attempt left out (on_bad_file: skip), with why: by content, so that a copy
  // is left out too, and by path, so that a file that has changed since (one still being
  // written) is, rather than being read again under its new hash in every attempt.
  struct LeftOut {
    std::map<std::string, std::string> by_sha256;
    std::map<std::string, std::string> by_path;

    const std::string* Find(const sources::InputFile& input) const {
      auto it = by_sha256.find(input.sha256);
      if (it != by_sha256.end()) return &it->second;
      it = by_path.find(input.path);
      return it != by_path.end() ? &it->second : nullptr;
    }
  };

  BatchRun(const PipelineConfig& config, const RunOptions& options, const LeftOut& left_out)
      : config_(config), options_(options), left_out_(left_out) {}

  // Set when the run failed because of a bad file.
  const std::optional<BadFile>& bad_file() const { return bad_file_; }
  // Orphaned files removed at the start, also when the run then failed.
  int64_t orphan_files_removed() const { return summary_.orphan_files_removed; }

  Result<RunSummary> Run();

 private:
  Status Prepare();
  // Cancelled when SIGTERM or SIGINT asked the run to stop (common/stop_signal.h): polled
  // between chunks and files, never once the commit has begun.
  Status StopIfRequested() const;

  // --reread names an input, or a copy of one (the same bytes under another name).
  // The pipeline's validation, with the rules that need a normalisation step that is off skipped.
  validate::ValidationSpec ValidationWithNormalisation();
  bool Reread(const sources::InputFile& input) const;

  // Every --reread file must be an input of the run: a typo must not pass as "nothing to do".
  // Reading a file again relies on unique_version to store each version once.
  Status CheckRereadFiles() const;

  // This pipeline's mapping, if the trade table (as `trades` has it) recorded its version with
  // another: refused, as the records would name one version for two mappings.
  Status CheckMappingVersion(const lake::TableMetadata& trades) const;
  // Names the inputs whose rejects a stopped run stored that no run can finish any more.
  void NoteRejectsWithoutTrades(const lake::TableMetadata& all_trades,
                                const lake::TableMetadata& quarantine);
  // Decides which inputs to read; loads the keys needed to reject duplicate versions.
  Status Plan();

  Result<std::unique_ptr<sources::RecordSource>> OpenInputSource(const sources::InputFile& input);

  void Note(const std::string& text);
  // Notes the JSON paths of the mapping that no record of `input` had.
  void NoteEmptyReferenceTables();
  void NotePathsNeverSeen(const sources::InputFile& input, const sources::RecordSource& source,
                          int64_t records);

  // Reads the file in chunks that the pool maps and validates while the next chunk is read;
  // finished chunks are taken back strictly in input order (Absorb), so counts, the duplicate
  // check, quarantine rows and the rows' order in the writer are those of a sequential run.
  Status ProcessFile(const sources::InputFile* input, int index, int total, size_t file_index);

  Status ReadChunks(sources::RecordSource& source, const sources::InputFile* input,
                    size_t file_index,
                    std::deque<std::future<std::unique_ptr<RecordChunk>>>* in_flight);

  std::unique_ptr<RecordChunk> SpareChunk();

  // Reads up to kChunkRecords records; false at the end of the file. A record the source cannot
  // parse is kept with its outcome (STAGE_PARSE) filled in. Any other read error (a truncated or
  // corrupt .gz, an I/O error) loses the rest of the file, so it stops the run.
  Result<bool> FillChunk(sources::RecordSource& source, RecordChunk* chunk);

  // The in-order part of the work for one processed chunk.
  Status Absorb(RecordChunk& chunk, const sources::RecordSource& source);

  Status AbsorbOne(const sources::InputFile& input, const sources::SourceRecord& record,
                   RecordOutcome& out, bool resumed, FileSummary* file);

  // The legs of a multi-leg report (a package: a swap's fixed and floating legs, say) are one
  // economic trade: stored with one of them quarantined, the others would show a one-sided
  // position. So when one leg fails, the others go to quarantine with it, saying why. With
  // `resumed` (an input an interrupted run partly quarantined), a leg that run quarantined
  // counts as failed, so that a leg rejected only now does not leave the others stored alone.
  Status AbsorbGroup(const sources::InputFile& input, bool resumed, FileSummary* file);

  // For an input an interrupted run partly quarantined: whether it stored this record as a
  // reject. The input is finished as it was begun: such a record stays a reject even when this
  // run would accept it (with reference data fixed since, say), so that no record is both a
  // trade and a reject. It is counted as quarantined (it is in the quarantine table), under
  // kByAnInterruptedRun.
  bool QuarantinedEarlier(const sources::InputFile& input,
                          const sources::SourceRecord& record) const;

  // The unique_version rule needs input order, so it runs here rather than on the workers. A
  // replay needs nothing more; a conflicting repeat is rare: the record is then mapped again on
  // this thread to reject it (or flag it).
  VersionSeen CheckDuplicate(const sources::InputFile& input, const sources::SourceRecord& record,
                             RecordOutcome* out);

  // A record another rule rejected also fails unique_version when its version is stored or was
  // accepted earlier in the run: the failure is added to `out`, so that the quarantine row lists
  // every rule the record fails.
  void AddRejectedDuplicate(RecordOutcome* out) const;

  Status Reject(const sources::InputFile& input, const sources::SourceRecord& record,
                const RecordOutcome& out, FileSummary* file);

  // A read error that loses the rest of `input` (IOError: a truncated or corrupt .gz or .zst,
  // XML broken before its last report) makes it a bad file, as being past max_bad_records does;
  // not a mapping that does not fit it (a column it names is missing: InvalidArgument, likely for
  // every file alike), nor an input an interrupted run partly quarantined, which is finished as
  // it was begun.
  Status IfUnreadable(const sources::InputFile& input, Status status);

  // Passes `status` on, remembering a failure as `input` being a bad file.
  Status IfBadFile(const sources::InputFile& input, Status status);

  std::map<std::string, std::string> Summary(bool for_quarantine) const;

  Status CommitReferenceTables();

  // The reference tables, the quarantine snapshot, then the trade snapshot, which marks the
  // inputs as done. The quarantine and trade commits first check what other runs committed
  // since this run's plan (NotIngestedMeanwhile); if one took an input or a trade version of
  // this run's, this run commits nothing more, removes the data files it has not committed and
  // fails.
  Status Commit();

  // A commit check (commit_checks.h): fails when, since this run's plan, another run committed
  // one of this run's inputs to `table` (the quarantine table's check leaves out the inputs a
  // killed run already quarantined, which this run does not quarantine again), rejects of one of
  // its inputs to the quarantine table, or, for the trade table, a trade version this run
  // accepted. The quarantine commit also looks at the trade table: a run that has committed
  // trades for an input has stored its rejects.
  std::function<Status(const lake::TableMetadata&)> NotIngestedMeanwhile(const lake::Table& table,
                                                                         bool quarantine);

  // The other table each commit's check read, as it read it (CheckNotIngestedMeanwhile).
  std::vector<lake::SwapGuard> guards_;
  Status CheckNotIngestedMeanwhile(const lake::Table& table, const lake::TableMetadata& current,
                                   bool quarantine);

  // After a failure before the quarantine and trade commits: nothing references the data files
  // written for them, so they are removed at once.
  Status AbandonWrites(const Status& failure);

  // After a commit that failed: the data files this run did not commit are removed at once when
  // no snapshot can reference them (another run ingested the same input, or the commit failed
  // before the catalog's swap: a full disk, say). When the catalog cannot say whether its update
  // landed (`maybe_committed`), that commit's files are left to the next run's orphan cleanup.
  // `quarantine_failed`: the failed commit was the quarantine's (else the trades', after it).
  Status Abandon(const Status& failure, bool quarantine_failed, bool maybe_committed);

  const PipelineConfig& config_;
  RunOptions options_;
  RunSummary summary_;
  std::vector<sources::InputFile> inputs_;
  std::vector<FileSummary> same_content_;  // inputs whose bytes an earlier input has
  std::vector<std::pair<const sources::InputFile*, size_t>> todo_;  // input, index in files
  // Inputs are named by their file name in duplicate messages, unless two share one (a glob
  // over day folders of t.csv): then by their path as given.
  bool file_names_unique_ = true;
  std::unique_ptr<transform::Mapper> mapper_;
  std::unique_ptr<lake::Catalog> catalog_;
  std::unique_ptr<EventSink> events_;
  std::unique_ptr<TableSink> quarantine_;
  std::map<std::string, IngestedInput> quarantine_has_;
  std::map<std::string, IngestedInput> reread_;  // inputs read again: sha256 → first snapshot
  // Inputs whose --reread was interrupted between its commits → the runs whose rejects count.
  std::map<std::string, std::set<std::string>> only_runs_;
  // The records of a group (the legs of a multi-leg report) read so far, until its last.
  struct GroupMember {
    sources::SourceRecord record;
    RecordOutcome outcome;
  };
  std::vector<GroupMember> group_;
  std::optional<int64_t> planned_snapshot_;  // the trade table's current snapshot at the plan
  std::set<std::pair<std::string, std::string>> stored_rejects_;  // (input sha256, location)
  int64_t planned_quarantine_sequence_ = 0;  // quarantine's last sequence number at the plan
  int64_t late_rejects_ = 0;                 // rejects added for inputs quarantine already recorded
  std::set<std::string> late_inputs_;        // the inputs (sha256) of those rejects
  const LeftOut& left_out_;
  std::optional<BadFile> bad_file_;
  BadRecordCounter bad_records_{config_.max_bad_records, config_.on_bad_file};
  bool lost_to_another_run_ = false;  // a commit check found another run's commit of our work
  ReferenceHashes reference_hashes_;  // taken before reference_ was loaded
  std::optional<LoadedReference> reference_;
  transform::ReferenceData no_reference_;  // normalises a run without reference data
  std::unique_ptr<validate::Validator> validator_;
  std::optional<RecordProcessor> processor_;
  std::vector<std::unique_ptr<RecordChunk>> spare_chunks_;
  validate::DuplicateIndex duplicates_;  // keys in the table and seen in this run
  // Last, so it is destroyed first: its threads finish before anything their tasks use goes.
  ThreadPool pool_;
};

}  // namespace tradeflow::pipeline::internal
