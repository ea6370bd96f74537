// Runs a pipeline once over its input files: read → map → write → commit.
//
// All-or-nothing for a run: every record of every input file is read and mapped before any data
// file is written, and the data files become visible in a single Iceberg snapshot. A bad input
// (missing file, malformed CSV, a value that does not parse) stops the run with an error naming
// "<file>:<line>" and the field, and leaves the table exactly as it was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/pipeline_config.h"

namespace tradeflow::pipeline {

struct FileSummary {
  std::string path;
  std::string sha256;
  int64_t records_read = 0;
  int64_t records_accepted = 0;
};

struct RunSummary {
  std::string run_id;
  std::string table;         // namespace.name
  std::string catalog_path;  // absolute path of the SQLite catalog
  std::string catalog_name;
  std::string warehouse;          // file:// URI
  std::string metadata_location;  // after the commit
  int64_t snapshot_id = 0;
  std::vector<FileSummary> files;
  int64_t records_read = 0;
  int64_t records_accepted = 0;
  int64_t unmapped_enum_values = 0;
  double seconds = 0;
};

Result<RunSummary> RunPipeline(const PipelineConfig& config);

}  // namespace tradeflow::pipeline
