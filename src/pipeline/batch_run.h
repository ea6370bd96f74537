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
#include "pipeline/run_summary.h"

namespace tradeflow::pipeline {

struct RunOptions {
  observe::Progress* progress = nullptr;  // optional
  // Inputs to read again although a snapshot records them as ingested (canonical paths, each
  // one of the run's inputs), or all of them: after a fix to the mapping, the reference data or
  // the encoding, so that records quarantined before get another chance. What was accepted
  // before is then a replay (stored once), or a conflict if the fix changed it.
  std::vector<std::string> reread;
  bool reread_all = false;
};

// With on_bad_file: skip, a file past max_bad_records stops the run, which then starts again
// without it (reading the files before it again: a run's files share data files, so one file's
// rows cannot be taken out of them), until no file is past the limit; the summary lists the files
// left out.
Result<RunSummary> RunPipeline(const PipelineConfig& config, const RunOptions& options = {});

}  // namespace tradeflow::pipeline
