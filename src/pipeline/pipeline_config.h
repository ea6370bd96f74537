// The pipeline file: one YAML document that says where records come from, how they map to the
// canonical model and where they are stored. docs/pipeline-config.md documents every key.
//
// This is the only module that reads YAML. Unknown keys are errors (a typo must not silently
// fall back to a default), and every error names "<file>:<line>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/data_writer.h"
#include "lake/partitioning.h"
#include "pipeline/reference_loader.h"
#include "pipeline/source_config.h"
#include "transform/mapping_spec.h"
#include "transform/normalise.h"
#include "validate/validation_spec.h"

namespace tradeflow::pipeline {

struct CatalogConfig {
  std::string type = "sqlite";
  std::string uri = "lake/catalog.db";  // relative to the working directory
  std::string name = "tradeflow";
};

struct TableConfig {
  std::string ns = "trading";
  std::string name = "trade_events";
  // Layout of a table this pipeline creates (an existing table keeps its own). The default suits
  // the firm's queries: by trade month and asset class, rows ordered by trade date and trade id.
  std::vector<lake::PartitionRequest> partition = {{"trade_date", "month", ""},
                                                   {"product.asset_class", "identity", ""}};
  std::vector<lake::SortKey> sort = {
      {"trade_date", false}, {"source_trade_id", false}, {"source_version", false}};
  // "<file>:<line>" of partition_by and sort_by when the file gives them, for the errors found
  // when the layout is resolved against the table's schema (an unknown column).
  std::string layout_where;
  // Size on disk at which a trade_events data file is rolled.
  int64_t target_file_mb = 128;
  // Memory for the rows waiting to be written, all partitions together: past it, the largest
  // partition's rows are written as a row group of its open file. The quarantine and reference
  // tables roll their files at this much (Arrow's in-memory size).
  int64_t buffer_mb = 64;
};

// What happens to a record that cannot be parsed, mapped or validated.
enum class BadRecordPolicy {
  kQuarantine,  // write it to the quarantine table and go on (default)
  kFail,        // stop the run with its error; nothing is committed
};

// The most bad records one input file may have: a count, or a percentage of the records read
// from the file. A bad record is one quarantined for any rule but unique_version (a changed
// repeat of a version is a re-sent trade, not a sign of a broken file). A file past the limit is
// not data to quarantine record by record: it has a changed format or needs another mapping.
// What then happens is BadFilePolicy's.
struct BadRecordLimit {
  std::optional<int64_t> count;  // either this,
  // or a percentage, exactly: percent_units / 10^percent_scale (2.5% is 25 and 1).
  int64_t percent_units = 0;
  int percent_scale = 0;
  std::string text;  // as written: "500", "2.5%"

  // Whether `bad` records out of `read` are past the limit ("more than 5%" of 100 is 6), in
  // integers: exactly 0.29% of 50,000 is within 0.29%.
  bool Exceeded(int64_t bad, int64_t read) const;
  const std::string& ToString() const { return text; }
};

// What happens when an input file is past max_bad_records.
enum class BadFilePolicy {
  // The whole run fails and commits nothing, as BigQuery's maxBadRecords, Spark's maxMalformed or
  // Snowflake's ON_ERROR = ABORT_STATEMENT stop a load (default).
  kFail,
  // The file is left out and the run ingests the others, as Snowflake's ON_ERROR = SKIP_FILE_n;
  // the run still exits with an error naming the file, which the next run reads again.
  kSkip,
};

struct PipelineConfig {
  std::string file;  // the pipeline file itself
  std::string name;
  std::string warehouse = "lake";  // relative to the working directory
  CatalogConfig catalog;
  TableConfig table;
  std::string quarantine_table = "quarantine";  // in the same namespace as `table`
  BadRecordPolicy on_bad_record = BadRecordPolicy::kQuarantine;
  std::optional<BadRecordLimit> max_bad_records;  // per input file; unset: no limit
  BadFilePolicy on_bad_file = BadFilePolicy::kFail;
  // Unreferenced files older than this are removed. A day, as a run still writing may own a
  // younger one (Iceberg's own orphan removal keeps three days by default).
  int64_t orphan_min_age_seconds = 86400;
  SourceConfig source;
  transform::MappingSpec mapping;
  ReferenceConfig reference;              // empty: no reference data
  transform::NormaliseOptions normalise;  // applied when reference data is loaded
  bool normalise_enabled = true;
  validate::ValidationSpec validation;  // built-in rules on by default
};

Result<PipelineConfig> LoadPipelineConfig(const std::string& path);

// Same, from text; `file` names it in errors and anchors relative source paths.
Result<PipelineConfig> ParsePipelineConfig(const std::string& text, const std::string& file);

// A warehouse or catalog location as a local path: a plain path or file:///abs, and with
// `sqlite` also SQLAlchemy's sqlite:///relative and sqlite:////abs (what pyiceberg takes).
// Invalid for any other URI, which tradeflow cannot read or write.
Result<std::string> LocalPathOf(const std::string& location, bool sqlite);

}  // namespace tradeflow::pipeline
