// What a batch run did, per input file and in total, and the report printed at its end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tradeflow::pipeline {

// FileSummary::skipped of an input a snapshot of the table records as ingested starts so.
inline constexpr char kAlreadyIngested[] = "already ingested";

struct FileSummary {
  std::string path;
  std::string sha256;
  std::optional<std::string> skipped;  // why, when the file was not read
  int64_t records_read = 0;
  int64_t records_accepted = 0;
  // Of the accepted: versions already stored with the same content (a re-sent export, say),
  // which are not stored again (trade-domain.md §3 rule 15).
  int64_t records_replayed = 0;
  int64_t records_quarantined = 0;
  int64_t records_with_warnings = 0;              // of the stored
  std::map<std::string, int64_t> warned_by_rule;  // a record may carry several rules' warnings
  // Of the stored: records with a time finer than a microsecond, which the table holds cut to
  // microseconds (Iceberg v2's precision; FIX allows nanoseconds).
  int64_t records_cut_to_micros = 0;
  std::map<std::string, int64_t> quarantined_by_rule;  // a record may fail several rules
  // Of the quarantined: lines past their first that records with broken quoting ran over (a
  // quote never closed takes in the lines after it, which may have been records of their own).
  int64_t lines_swallowed = 0;
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
  int64_t records_with_warnings = 0;  // of the stored
  int64_t orphan_files_removed = 0;
  std::vector<std::string> reference_tables_replaced;  // "trading.ref_books": its files changed
  double seconds = 0;
  // Why each file left out for its bad records (on_bad_file: skip) was; the run ingested the
  // others, but these are errors: the caller reports them and fails.
  std::vector<std::string> left_out;
  // Readings an earlier run stopped between its two commits that this run cannot finish (their
  // content is no longer among the inputs): their records other than the rejects are in neither
  // table until that content is read again.
  std::vector<std::string> unfinished;
};

// The end-of-run report: per file read/accepted/quarantined (by rule)/skipped/time, the
// invariant, the commits, and how to read the tables.
std::string FormatRunSummary(const RunSummary& summary);

}  // namespace tradeflow::pipeline
