// Runs a pipeline once over its input files: read → map → validate → write → commit.
//
// Exactly once: an input whose SHA-256 is already recorded in the table's snapshots is skipped
// (and the summary says where it went); everything else is read, and the run commits, in this
// order, one snapshot to the quarantine table (if any record failed) and one to the trade table.
// Each commit records the input hashes it absorbed, so a run killed anywhere leaves each table at
// its last good snapshot, and the next run redoes exactly the missing part. Files left behind by
// a killed run are removed at the start of the next one (see lake/orphan_files.h).
//
// Nothing is lost: for every input file, records read = accepted + quarantined. A record that
// cannot be parsed, converted or validated goes to the quarantine table with its raw text, its
// location and every failed rule; with `on_bad_record: fail` the first one stops the run instead,
// naming "<file>:<line>" and the field, and nothing is committed. With `max_bad_records`, so
// does a file with more bad records than that (with `on_bad_file: skip`, the run is done again
// without that file: RunPipeline). A run that fails before its quarantine and trade
// commits removes the data files it wrote for them; after a failed commit (which may have landed
// all the same) they are left to the orphan cleanup, as a killed run's are.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "observe/progress.h"
#include "pipeline/pipeline_config.h"

namespace tradeflow::pipeline {

struct FileSummary {
  std::string path;
  std::string sha256;
  std::optional<std::string> skipped;  // why, when the file was not read
  // Skipped because it is past max_bad_records (on_bad_file: skip): not ingested, and an error.
  bool left_out = false;
  int64_t records_read = 0;
  int64_t records_accepted = 0;
  // Of the accepted: versions already stored with the same content (a re-sent export, say),
  // which are not stored again (trade-domain.md §3 rule 15).
  int64_t records_replayed = 0;
  int64_t records_quarantined = 0;
  int64_t records_with_warnings = 0;
  std::map<std::string, int64_t> quarantined_by_rule;  // a record may fail several rules
  double seconds = 0;
};

struct RunSummary {
  std::string run_id;
  std::string table;             // namespace.name
  std::string quarantine_table;  // namespace.name
  std::string catalog_path;      // absolute path of the SQLite catalog
  std::string catalog_name;
  std::string warehouse;  // file:// URI
  std::string metadata_location;
  std::optional<int64_t> snapshot_id;             // trade table; empty when nothing was new
  std::optional<int64_t> quarantine_snapshot_id;  // empty when nothing was quarantined
  std::vector<FileSummary> files;
  int64_t records_read = 0;
  int64_t records_accepted = 0;
  int64_t records_replayed = 0;  // of the accepted
  int64_t records_quarantined = 0;
  int64_t orphan_files_removed = 0;
  double seconds = 0;
  // Why each file left out for its bad records (on_bad_file: skip) was; the run ingested the
  // others, but these are errors: the caller reports them and fails.
  std::vector<std::string> left_out;
};

struct RunOptions {
  observe::Progress* progress = nullptr;  // optional
};

// With on_bad_file: skip, a file past max_bad_records stops the run, which then starts again
// without it (reading the files before it again: a run's files share data files, so one file's
// rows cannot be taken out of them), until no file is past the limit; the summary lists the files
// left out.
Result<RunSummary> RunPipeline(const PipelineConfig& config, const RunOptions& options = {});

// The end-of-run report: per file read/accepted/quarantined (by rule)/skipped/time, the
// invariant, the commits, and how to read the tables.
std::string FormatRunSummary(const RunSummary& summary);

}  // namespace tradeflow::pipeline
