#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/stop_signal.h"
#include "observe/progress.h"
#include "pipeline/batch_run.h"
#include "pipeline/ingest_state.h"
#include "pipeline/inspect.h"
#include "pipeline/pipeline_config.h"

namespace tradeflow::cli {
namespace {

// Exit codes: 0 done; 1 failed (data, configuration, I/O); 2 the command line is wrong; 130 or
// 143, a run stopped by SIGINT or SIGTERM before its commit (nothing committed, its files
// removed); 75
// (EX_TEMPFAIL) another writer changed a table under this run (a kConflict), or held the
// catalog locked for longer than the wait (kUnavailable), which stopped without committing
// more: running again ingests what is still new, so a scheduler may retry on it alone.
constexpr int kExitFailed = 1;
constexpr int kExitRunAgain = 75;

// For commands whose output is the point (show, tables...): output that did not reach stdout (a
// full disk, a closed pipe) fails the command rather than leaving an empty report behind exit 0.
int FlushOutput() {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return 0;
  fmt::print(stderr, "tradeflow: error: cannot write the output to stdout: {}\n",
             std::strerror(errno));
  return kExitFailed;
}

int Fail(const Status& st) {
  std::cerr << "tradeflow: error: " << st.message() << "\n";
  // Stopped by a signal: the shell's convention for a process it ended (143 for SIGTERM).
  if (st.code() == StatusCode::kCancelled) return 128 + (StopRequested() ? StopRequested() : 15);
  const bool again = st.code() == StatusCode::kConflict || st.code() == StatusCode::kUnavailable;
  return again ? kExitRunAgain : kExitFailed;
}

struct CatalogOptions {
  pipeline::CatalogLocation where;
  void Add(CLI::App* cmd) {
    cmd->add_option("--catalog", where.path, "SQLite catalog file")
        ->capture_default_str()
        ->each([this](const std::string&) { where.given = true; });
    cmd->add_option("--catalog-name", where.name, "catalog name inside it")->capture_default_str();
  }
};

Result<std::unique_ptr<lake::Table>> OpenTable(const CatalogOptions& c, const std::string& name,
                                               std::unique_ptr<lake::Catalog>* catalog) {
  TF_ASSIGN_OR_RETURN(auto id, pipeline::ParseTableName(name));
  TF_ASSIGN_OR_RETURN(*catalog, pipeline::OpenExistingCatalog(c.where));
  return pipeline::LoadExistingTable(catalog->get(), id);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"tradeflow: trade files in, a trusted Iceberg trade history out."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tradeflow " TRADEFLOW_VERSION);

  std::string pipeline_file;
  auto* run = app.add_subcommand("run", "Run a pipeline file once over its inputs");
  run->add_option("pipeline", pipeline_file, "pipeline YAML file")->required();
  std::vector<std::string> reread;
  bool reread_all = false;
  run->add_option("--reread", reread,
                  "read this input file again although it was ingested (after a fix to the "
                  "mapping, reference data or encoding); repeatable");
  run->add_flag("--reread-all", reread_all, "read every input file again");

  CatalogOptions catalog_options;
  auto* tables = app.add_subcommand("tables", "List the tables in the catalog");
  catalog_options.Add(tables);

  std::string table_name = "trading.trade_events";
  auto* schema = app.add_subcommand("schema", "Show a table's schema with its field ids");
  auto* snapshots = app.add_subcommand("snapshots", "List a table's snapshots");
  auto* show = app.add_subcommand("show", "Print a sample of a table's rows");
  for (auto* cmd : {schema, snapshots, show}) {
    cmd->add_option("table", table_name, "namespace.table")->capture_default_str();
    catalog_options.Add(cmd);
  }
  int64_t limit = 5;
  int64_t snapshot_id = 0;
  show->add_option("-n,--limit", limit, "number of rows")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  show->add_option("--snapshot", snapshot_id, "snapshot id (default: current)");
  // One value, split here: a list option would also take the table name that follows it.
  std::string column_list;
  show->add_option("--columns", column_list, "only these top-level columns, comma-separated");

  // A command that is not one: CLI11 would only say that one is required.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string command = argv[1];
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) known = known || sub->get_name() == command;
    if (!known) {
      std::string names;
      for (const auto* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      fmt::print(stderr, "tradeflow: error: unknown command '{}' (commands: {}; see --help)\n",
                 command, names);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (run->parsed()) {
    std::error_code exists_ec;
    if (!std::filesystem::exists(pipeline_file, exists_ec)) {  // the command line is wrong: 2
      std::fprintf(stderr, "tradeflow: error: %s: no such pipeline file (in %s)\n",
                   pipeline_file.c_str(), std::filesystem::current_path(exists_ec).c_str());
      return 2;
    }
    auto config = pipeline::LoadPipelineConfig(pipeline_file);
    if (!config.ok()) return Fail(config.status());
    observe::Progress progress(stderr, isatty(fileno(stderr)) != 0);
    pipeline::RunOptions options;
    options.progress = &progress;
    options.reread_all = reread_all;
    for (const auto& path : reread) {
      std::error_code ec;
      auto canonical = std::filesystem::canonical(path, ec);
      if (ec) {  // the command line is wrong (exit 2), as for an unknown option
        // Command-line paths are the working directory's, not the pipeline file's: say which.
        fmt::print(stderr, "tradeflow: error: --reread {}: no such file{}\n", path,
                   std::filesystem::path(path).is_absolute()
                       ? ""
                       : " (in " + std::filesystem::current_path(ec).string() + ")");
        return 2;
      }
      options.reread.push_back(canonical.string());
    }
    InstallStopHandlers();  // a run stops cleanly on SIGTERM and SIGINT; other commands need not
    // A log reader that goes away (`| tee`, a restarted log shipper) must not kill a run between
    // its writes, leaving files behind: its output is lost, its work goes on and commits.
    std::signal(SIGPIPE, SIG_IGN);
    auto summary = pipeline::RunPipeline(*config, options);
    progress.Finish();
    if (!summary.ok()) return Fail(summary.status().WithContext("run failed"));
    // The run's work is committed: a summary that cannot be written is said, not a failure.
    // (fputs, not fmt::print, which throws once a short write passes its buffer.)
    const std::string text = pipeline::FormatRunSummary(*summary);
    if (std::fputs(text.c_str(), stdout) < 0 || std::fflush(stdout) != 0 || std::ferror(stdout)) {
      // fputs: fmt::print throws when stderr is gone too, and the run's work is committed.
      std::fputs("tradeflow: warning: the run summary could not be written to stdout\n", stderr);
    }
    // The other files are committed, but a file left out is still a failed ingestion.
    for (const auto& why : summary->left_out) Fail(Status::Invalid("left out: " + why));
    return summary->left_out.empty() ? 0 : 1;
  }
  if (tables->parsed()) {
    auto catalog = pipeline::OpenExistingCatalog(catalog_options.where);
    if (!catalog.ok()) return Fail(catalog.status());
    auto list = (*catalog)->ListTables("");
    if (!list.ok()) return Fail(list.status());
    for (const auto& t : *list) fmt::print("{}\n", t.ToString());
    if (list->empty()) fmt::print("(no tables in catalog '{}')\n", catalog_options.where.name);
    return FlushOutput();
  }
  if (auto id = pipeline::ParseTableName(table_name); !id.ok()) {  // the command line is wrong: 2
    std::fprintf(stderr, "tradeflow: error: %s\n", id.status().message().c_str());
    return 2;
  }
  std::unique_ptr<lake::Catalog> catalog;
  auto table = OpenTable(catalog_options, table_name, &catalog);
  if (!table.ok()) return Fail(table.status());
  if (schema->parsed()) {
    fmt::print("{}", pipeline::FormatSchema((*table)->metadata()));
  } else if (snapshots->parsed()) {
    fmt::print("{}", pipeline::FormatSnapshots((*table)->metadata()));
  } else if (show->parsed()) {
    std::optional<int64_t> snap;
    if (show->get_option("--snapshot")->count() > 0) snap = snapshot_id;  // 0 is an id too
    if (show->get_option("--columns")->count() > 0 && pipeline::CommaList(column_list).empty()) {
      std::fprintf(stderr, "tradeflow: error: --columns names no column\n");
      return 2;
    }
    auto rows = pipeline::ReadRows(**table, snap, limit);
    if (!rows.ok() && snap && lake::FindSnapshot((*table)->metadata(), *snap) == nullptr) {
      return Fail(Status::NotFound(rows.status().message() + " (tradeflow snapshots " + table_name +
                                   " lists them)"));
    }
    if (!rows.ok()) return Fail(rows.status());
    if (*rows == nullptr) {
      fmt::print("(no rows: table {} is empty at this snapshot)\n", table_name);
      return FlushOutput();
    }
    auto text = pipeline::FormatRows(**rows, pipeline::CommaList(column_list));
    if (!text.ok()) return Fail(text.status());
    fmt::print("{}", *text);
  }
  return FlushOutput();
}

}  // namespace tradeflow::cli
