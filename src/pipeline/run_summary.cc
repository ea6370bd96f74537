#include "pipeline/run_summary.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace tradeflow::pipeline {

namespace {

// A catalog path as the database part of an SQLAlchemy URL, inside a Python string literal:
// SQLAlchemy decodes %XX (so a '%' is written %25) and ends the path at '?' (query) or '#'.
std::string SqlAlchemyPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '?':
        out += "%3F";
        break;
      case '#':
        out += "%23";
        break;
      case '"':
      case '\\':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Replays(int64_t n) {
  return "of the accepted, " + std::to_string(n) + (n == 1 ? " was a version" : " were versions") +
         " already stored with the same content (replays, not stored again)";
}

bool AlreadyIngested(const FileSummary& f) {
  return f.skipped && f.skipped->rfind(kAlreadyIngested, 0) == 0;
}

// A daily glob over a folder that keeps its old files would list each of them on every run:
// past a few, they are counted instead.
constexpr size_t kListedIngested = 5;

}  // namespace

std::string FormatRunSummary(const RunSummary& s) {
  std::ostringstream out;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", s.seconds);
  out << "run " << s.run_id << " finished in " << buf << "s\n";
  const auto ingested =
      static_cast<size_t>(std::count_if(s.files.begin(), s.files.end(), AlreadyIngested));
  if (ingested > kListedIngested) {
    out << "  " << ingested << " inputs skipped: already ingested (each in an earlier snapshot)\n";
  }
  for (const auto& f : s.files) {
    if (ingested > kListedIngested && AlreadyIngested(f)) continue;
    out << "  " << f.path;
    if (!f.sha256.empty()) out << " (sha256 " << f.sha256.substr(0, 12) << ")";
    out << "\n";
    if (f.skipped) {
      out << "      skipped: " << *f.skipped << "\n";
      continue;
    }
    std::snprintf(buf, sizeof buf, "%.2f", f.seconds);
    out << "      read " << f.records_read << " = accepted " << f.records_accepted
        << " + quarantined " << f.records_quarantined << "  (" << buf << "s)\n";
    if (f.records_replayed > 0) out << "      " << Replays(f.records_replayed) << "\n";
    for (const auto& [rule, n] : f.quarantined_by_rule) {
      out << "      quarantined by " << rule << ": " << n << "\n";
    }
    if (f.lines_swallowed > 0) {
      out << "      of the quarantined, records with broken quoting ran over " << f.lines_swallowed
          << " more line" << (f.lines_swallowed == 1 ? "" : "s")
          << " (a quote never closed?), which may hold records of their own: see their "
             "raw_record\n";
    }
    if (f.records_with_warnings > 0) {
      out << "      stored with warnings: " << f.records_with_warnings << "\n";
    }
    for (const auto& [rule, n] : f.warned_by_rule) {
      out << "      warned by " << rule << ": " << n << "\n";
    }
  }
  out << "  total: read " << s.records_read << " = accepted " << s.records_accepted
      << " + quarantined " << s.records_quarantined << "\n";
  if (s.records_replayed > 0) out << "    " << Replays(s.records_replayed) << "\n";
  if (s.records_with_warnings > 0) {
    out << "    stored with warnings: " << s.records_with_warnings << "\n";
  }
  for (const auto& u : s.unfinished) out << "  unfinished reading: " << u << "\n";
  if (s.orphan_files_removed > 0) {
    out << "  removed " << s.orphan_files_removed
        << " orphaned files (referenced by no snapshot or metadata log: an interrupted run's, "
           "say)\n";
  }
  // In the order of the commits: reference tables, quarantine, trades.
  for (const auto& table : s.reference_tables_replaced) {
    out << "wrote reference table " << table << " (its rows are new or changed)\n";
  }
  if (s.quarantine_snapshot_id) {
    out << "committed snapshot " << *s.quarantine_snapshot_id << " to " << s.quarantine_table
        << "\n";
  }
  if (!s.snapshot_id && !s.left_out.empty()) {
    out << "no snapshot committed to " << s.table
        << ": every input was left out or already ingested\n";
  } else if (!s.snapshot_id) {
    out << "nothing new: every input was already ingested; no snapshot committed to " << s.table
        << " (after a fix to the mapping or reference data, run --reread FILE to read a file "
           "again; a changed mapping needs a new mapping.version)\n";
  } else {
    out << "committed snapshot " << *s.snapshot_id << " to " << s.table << "\n";
  }
  if (s.metadata_location.empty()) {  // staged only: no run has committed to it yet
    out << "  " << s.table << " does not exist yet: nothing has been committed to it\n";
    return out.str();
  }
  out << "  metadata: " << s.metadata_location << "\n";
  out << "  catalog:  " << s.catalog_path << " (SQLite, catalog name '" << s.catalog_name << "')\n";
  out << "read it with pyiceberg:\n"
      << "  from pyiceberg.catalog.sql import SqlCatalog\n"
      << "  catalog = SqlCatalog(\"" << s.catalog_name << "\", uri=\"sqlite:///"
      << SqlAlchemyPath(s.catalog_path) << "\", warehouse=\"" << s.warehouse << "\")\n"
      << "  catalog.load_table(\"" << s.table << "\").scan().to_pandas()\n"
      << "or here: tradeflow show " << s.table << "\n";
  return out.str();
}

}  // namespace tradeflow::pipeline
