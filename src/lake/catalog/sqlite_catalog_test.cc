#include "lake/catalog/sqlite_catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "lake/catalog/sqlite_db.h"
#include "lake/table_metadata.h"

namespace tradeflow::lake {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const TableIdentifier kTrades{"trading", "trades"};

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tf_catalog_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string FileUri(const fs::path& p) { return "file://" + p.string(); }
std::string LocalPath(const std::string& uri) {
  return uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

// First column of the first row of `sql`, read over a separate connection; "<none>" if no row.
std::string QueryOne(const std::string& db_path, const std::string& sql) {
  auto db = sqlite::Database::Open(db_path, 5000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return "<error>";
  auto stmt = (*db)->Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return "<error>";
  auto row = stmt->Step();
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  if (!row.ok() || !*row) return "<none>";
  return stmt->ColumnText(0).value_or("<null>");
}

void ExecSql(const std::string& db_path, const std::string& sql) {
  auto db = sqlite::Database::Open(db_path, 5000);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status st = (*db)->Exec(sql);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

Result<std::unique_ptr<Catalog>> Open(const fs::path& db) {
  return OpenSqliteCatalog(db.string(), "tradeflow");
}

// --- A real Iceberg commit loop over metadata files, as a writer would run it ---

// Writes metadata version 0 of a new table under `table_root` and registers it.
Result<std::string> CreateTradesTable(Catalog& catalog, const TableIdentifier& id,
                                      const fs::path& table_root) {
  fs::create_directories(table_root / "metadata");
  TableMetadata md =
      NewTableMetadata(FileUri(table_root), json::parse(R"({"type":"struct","fields":[
          {"id":1,"name":"trade_id","required":false,"type":"long"}]})"),
                       1, json::parse(R"({"spec-id":0,"fields":[]})"), 999, {});
  std::string location = FileUri(table_root / "metadata" / MetadataFileName(0));
  TF_RETURN_IF_ERROR(WriteFile(LocalPath(location), SerializeTableMetadata(md)));
  TF_RETURN_IF_ERROR(catalog.CreateTable(id, location));
  return location;
}

// Reads the metadata at `current`, appends one snapshot tagged with `writer`, and writes it as the
// next version. Returns the new file's location (not yet committed).
Result<std::string> WriteNextMetadata(const std::string& current, const std::string& writer) {
  TF_ASSIGN_OR_RETURN(std::string text, ReadFile(LocalPath(current)));
  TF_ASSIGN_OR_RETURN(TableMetadata md, ParseTableMetadata(text));
  int64_t now = CurrentTimeMs();
  Snapshot s;
  s.snapshot_id = NewSnapshotId();
  s.parent_snapshot_id = md.current_snapshot_id;
  s.sequence_number = md.last_sequence_number + 1;
  s.timestamp_ms = now;
  s.manifest_list = md.location + "/metadata/snap-" + std::to_string(s.snapshot_id) + ".avro";
  s.summary = {{"operation", "append"}, {"tradeflow.writer", writer}};
  AddSnapshot(md, std::move(s), now);
  RecordPreviousMetadataFile(md, current, now);
  std::string next =
      md.location + "/metadata/" + MetadataFileName(MetadataVersionFromLocation(current) + 1);
  TF_RETURN_IF_ERROR(WriteFile(LocalPath(next), SerializeTableMetadata(md)));
  return next;
}

struct AppendStats {
  int conflicts = 0;
};

// One append with reload-and-retry on Conflict: the loop every tradeflow writer runs.
Result<AppendStats> AppendWithRetry(Catalog& catalog, const TableIdentifier& id,
                                    const std::string& writer) {
  AppendStats stats;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    TF_ASSIGN_OR_RETURN(std::optional<std::string> current, catalog.LoadMetadataLocation(id));
    if (!current.has_value()) return Status::NotFound("table vanished");
    TF_ASSIGN_OR_RETURN(std::string next, WriteNextMetadata(*current, writer));
    Status st = catalog.SwapMetadataLocation(id, *current, next);
    if (st.ok()) return stats;
    std::remove(LocalPath(next).c_str());  // orphan of the lost attempt
    if (st.code() != StatusCode::kConflict) return st;
    ++stats.conflicts;
  }
  return Status::Internal("too many conflicts");
}

Result<TableMetadata> LoadMetadata(Catalog& catalog, const TableIdentifier& id) {
  TF_ASSIGN_OR_RETURN(std::optional<std::string> location, catalog.LoadMetadataLocation(id));
  if (!location.has_value()) return Status::NotFound(id.ToString());
  TF_ASSIGN_OR_RETURN(std::string text, ReadFile(LocalPath(*location)));
  return ParseTableMetadata(text);
}

// Checks that the table's history is one linear chain of `expected` snapshots and metadata
// files, i.e. no commit was lost; returns the snapshot count per writer tag.
std::map<std::string, int> CheckLinearHistory(Catalog& catalog, const TableIdentifier& id,
                                              int expected) {
  std::map<std::string, int> per_writer;
  auto md = LoadMetadata(catalog, id);
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  if (!md.ok()) return per_writer;
  EXPECT_EQ(md->last_sequence_number, expected);
  EXPECT_EQ(static_cast<int>(md->snapshots.size()), expected);
  EXPECT_EQ(static_cast<int>(md->metadata_log.size()), expected);
  auto location = catalog.LoadMetadataLocation(id);
  EXPECT_EQ(MetadataVersionFromLocation(location->value()), expected);

  // Walk parents from the current snapshot: every snapshot is reached, sequence numbers descend.
  int walked = 0;
  int64_t seq = md->last_sequence_number;
  for (const Snapshot* s = CurrentSnapshot(*md); s != nullptr;
       s = s->parent_snapshot_id ? FindSnapshot(*md, *s->parent_snapshot_id) : nullptr) {
    EXPECT_EQ(s->sequence_number, seq--);
    ++per_writer[s->summary.at("tradeflow.writer")];
    ++walked;
  }
  EXPECT_EQ(walked, expected);

  // metadata-log lists versions 0..expected-1 in order, one file each.
  for (int v = 0; v < static_cast<int>(md->metadata_log.size()); ++v) {
    EXPECT_EQ(MetadataVersionFromLocation(md->metadata_log[v].metadata_file), v);
  }
  return per_writer;
}

// --- Basic operations ---

TEST(SqliteCatalogTest, CreatesDatabaseFolderAndPyicebergLayout) {
  TempDir dir;
  fs::path db = dir.path() / "nested" / "deeper" / "catalog.db";
  auto catalog = Open(db);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_TRUE(fs::exists(db));
  EXPECT_EQ((*catalog)->name(), "tradeflow");
  EXPECT_EQ(QueryOne(db, "PRAGMA journal_mode"), "wal");

  // Column name, declared type, NOT NULL and primary-key position, as pyiceberg 0.12 creates them.
  auto columns = [&](const std::string& table) {
    std::string out;
    auto conn = sqlite::Database::Open(db.string(), 5000);
    auto stmt = (*conn)->Prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('" +
                                 table + "') ORDER BY cid");
    while (*stmt->Step()) {
      for (int i = 0; i < 4; ++i) out += stmt->ColumnText(i).value_or("") + (i < 3 ? " " : "; ");
    }
    return out;
  };
  EXPECT_EQ(columns("iceberg_tables"),
            "catalog_name VARCHAR(255) 1 1; table_namespace VARCHAR(255) 1 2; "
            "table_name VARCHAR(255) 1 3; metadata_location VARCHAR(1000) 0 0; "
            "previous_metadata_location VARCHAR(1000) 0 0; iceberg_type VARCHAR(5) 0 0; ");
  EXPECT_EQ(columns("iceberg_namespace_properties"),
            "catalog_name VARCHAR(255) 1 1; namespace VARCHAR(255) 1 2; "
            "property_key VARCHAR(255) 1 3; property_value VARCHAR(1000) 1 0; ");

  // Reopening an existing catalog is fine.
  catalog->reset();
  EXPECT_TRUE(Open(db).ok());
}

TEST(SqliteCatalogTest, CreateListLoadDrop) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  auto opened = Open(db);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Catalog& c = **opened;

  ASSERT_TRUE(c.CreateNamespace("trading").ok());
  ASSERT_TRUE(c.CreateNamespace("trading").ok());  // idempotent
  EXPECT_EQ(QueryOne(db,
                     "SELECT property_key || '=' || property_value FROM "
                     "iceberg_namespace_properties WHERE namespace = 'trading'"),
            "exists=true");
  EXPECT_EQ(QueryOne(db, "SELECT count(*) FROM iceberg_namespace_properties"), "1");

  ASSERT_TRUE(
      c.CreateTable(kTrades, "file:///w/trading/trades/metadata/00000-a.metadata.json").ok());
  // Creating a table in a new namespace creates the namespace.
  ASSERT_TRUE(c.CreateTable({"risk", "positions"}, "file:///w/risk/positions/m0.json").ok());
  EXPECT_EQ(QueryOne(db,
                     "SELECT property_value FROM iceberg_namespace_properties "
                     "WHERE namespace = 'risk' AND property_key = 'exists'"),
            "true");
  EXPECT_EQ(QueryOne(db, "SELECT iceberg_type FROM iceberg_tables WHERE table_name = 'trades'"),
            "TABLE");
  EXPECT_EQ(QueryOne(db, "SELECT catalog_name FROM iceberg_tables WHERE table_name = 'trades'"),
            "tradeflow");
  EXPECT_EQ(QueryOne(db,
                     "SELECT previous_metadata_location FROM iceberg_tables "
                     "WHERE table_name = 'trades'"),
            "<null>");

  auto namespaces = c.ListNamespaces();
  ASSERT_TRUE(namespaces.ok());
  EXPECT_EQ(*namespaces, (std::vector<std::string>{"risk", "trading"}));

  auto trading = c.ListTables("trading");
  ASSERT_TRUE(trading.ok());
  EXPECT_EQ(*trading, (std::vector<TableIdentifier>{kTrades}));
  auto all = c.ListTables("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<TableIdentifier>{{"risk", "positions"}, kTrades}));
  auto none = c.ListTables("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto loaded = c.LoadMetadataLocation(kTrades);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, "file:///w/trading/trades/metadata/00000-a.metadata.json");
  auto missing = c.LoadMetadataLocation({"trading", "nope"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(c.DropTable(kTrades).ok());
  EXPECT_FALSE(c.LoadMetadataLocation(kTrades)->has_value());
  Status again = c.DropTable(kTrades);
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << again.ToString();
  EXPECT_NE(again.message().find("trading.trades"), std::string::npos);
  // The namespace outlives its last table (it has its own row).
  EXPECT_EQ(*c.ListNamespaces(), (std::vector<std::string>{"risk", "trading"}));
}

TEST(SqliteCatalogTest, CreateTableTwiceIsAlreadyExists) {
  TempDir dir;
  auto c = Open(dir.path() / "catalog.db");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->CreateTable(kTrades, "m0").ok());
  Status st = (*c)->CreateTable(kTrades, "m1");
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find("trading.trades"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("catalog.db"), std::string::npos) << st.message();
  EXPECT_EQ(*(*c)->LoadMetadataLocation(kTrades), "m0");  // untouched
}

TEST(SqliteCatalogTest, RejectsBadNames) {
  TempDir dir;
  auto c = Open(dir.path() / "catalog.db");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->CreateNamespace("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*c)->CreateNamespace("a.b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*c)->CreateTable({"trading", ""}, "m0").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*c)->CreateTable({"trading", std::string(256, 'x')}, "m0").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*c)->CreateTable(kTrades, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*c)->CreateTable(kTrades, std::string(1001, 'x')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteCatalog((dir.path() / "x.db").string(), "").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SqliteCatalogTest, SwapSucceedsOnExpectedAndConflictsOnStale) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  auto opened = Open(db);
  ASSERT_TRUE(opened.ok());
  Catalog& c = **opened;
  ASSERT_TRUE(c.CreateTable(kTrades, "m0").ok());

  ASSERT_TRUE(c.SwapMetadataLocation(kTrades, "m0", "m1").ok());
  EXPECT_EQ(*c.LoadMetadataLocation(kTrades), "m1");
  EXPECT_EQ(QueryOne(db, "SELECT previous_metadata_location FROM iceberg_tables"), "m0");

  Status stale = c.SwapMetadataLocation(kTrades, "m0", "m2");
  EXPECT_EQ(stale.code(), StatusCode::kConflict) << stale.ToString();
  EXPECT_NE(stale.message().find("another writer committed first"), std::string::npos);
  EXPECT_NE(stale.message().find("'m1'"), std::string::npos) << stale.message();
  EXPECT_EQ(*c.LoadMetadataLocation(kTrades), "m1");

  ASSERT_TRUE(c.SwapMetadataLocation(kTrades, "m1", "m2").ok());
  EXPECT_EQ(QueryOne(db, "SELECT previous_metadata_location FROM iceberg_tables"), "m1");

  Status gone = c.SwapMetadataLocation({"trading", "nope"}, "m0", "m1");
  EXPECT_EQ(gone.code(), StatusCode::kConflict);
  EXPECT_NE(gone.message().find("no longer exists"), std::string::npos) << gone.message();

  // The connection is still usable after a failed swap (its transaction was rolled back).
  ASSERT_TRUE(c.CreateNamespace("after").ok());
}

// A commit that depends on another table as its writer checked it lands only if that table is
// still so, in the same transaction as the swap.
TEST(SqliteCatalogTest, SwapWithGuardsLandsOnlyIfTheGuardedTablesAreUnchanged) {
  TempDir dir;
  auto opened = Open(dir.path() / "catalog.db");
  ASSERT_TRUE(opened.ok());
  Catalog& c = **opened;
  const TableIdentifier rejects{"trading", "quarantine"};
  ASSERT_TRUE(c.CreateTable(kTrades, "t0").ok());
  ASSERT_TRUE(c.CreateTable(rejects, "q0").ok());

  ASSERT_TRUE(c.SwapMetadataLocation(kTrades, "t0", "t1", {{rejects, "q0"}}).ok());
  ASSERT_TRUE(c.SwapMetadataLocation(rejects, "q0", "q1").ok());  // another writer
  Status stale = c.SwapMetadataLocation(kTrades, "t1", "t2", {{rejects, "q0"}});
  EXPECT_EQ(stale.code(), StatusCode::kConflict);
  EXPECT_NE(stale.message().find("table trading.quarantine, which it was checked against, "
                                 "changed meanwhile"),
            std::string::npos)
      << stale.message();
  EXPECT_EQ(*c.LoadMetadataLocation(kTrades), "t1");  // nothing changed
  // A guard that a table does not exist.
  const TableIdentifier later{"trading", "later"};
  ASSERT_TRUE(c.SwapMetadataLocation(kTrades, "t1", "t2", {{later, std::nullopt}}).ok());
  ASSERT_TRUE(c.CreateTable(later, "l0").ok());
  EXPECT_EQ(c.SwapMetadataLocation(kTrades, "t2", "t3", {{later, std::nullopt}}).code(),
            StatusCode::kConflict);
}

// A write lock held longer than the busy timeout: the statement did not take effect, which
// Unavailable says (a commit that fails so did not happen).
TEST(SqliteCatalogTest, ALockHeldLongerThanTheWaitIsUnavailable) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  ASSERT_TRUE(Open(db).ok());
  auto holder = sqlite::Database::Open(db.string(), 5000);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Exec("BEGIN IMMEDIATE").ok());
  auto waiter = sqlite::Database::Open(db.string(), 50);
  ASSERT_TRUE(waiter.ok());
  Status busy = (*waiter)->Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
  EXPECT_NE(busy.message().find("held the database lock longer than the busy timeout"),
            std::string::npos)
      << busy.message();
  ASSERT_TRUE((*holder)->Exec("ROLLBACK").ok());
}

TEST(SqliteCatalogTest, CatalogNameScopesRows) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  auto a = OpenSqliteCatalog(db.string(), "tradeflow");
  auto b = OpenSqliteCatalog(db.string(), "other");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->CreateTable(kTrades, "a0").ok());
  EXPECT_TRUE((*b)->ListTables("")->empty());
  EXPECT_TRUE((*b)->ListNamespaces()->empty());
  EXPECT_FALSE((*b)->LoadMetadataLocation(kTrades)->has_value());
  ASSERT_TRUE((*b)->CreateTable(kTrades, "b0").ok());
  EXPECT_EQ((*b)->SwapMetadataLocation(kTrades, "a0", "b1").code(), StatusCode::kConflict);
  EXPECT_EQ(*(*a)->LoadMetadataLocation(kTrades), "a0");
  EXPECT_EQ(*(*b)->LoadMetadataLocation(kTrades), "b0");
}

TEST(SqliteCatalogTest, IgnoresViewRows) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  auto c = Open(db);
  ASSERT_TRUE(c.ok());
  ExecSql(db,
          "INSERT INTO iceberg_tables VALUES "
          "('tradeflow', 'trading', 'v', 'view0', NULL, 'VIEW')");
  EXPECT_TRUE((*c)->ListTables("trading")->empty());
  EXPECT_FALSE((*c)->LoadMetadataLocation({"trading", "v"})->has_value());
  EXPECT_EQ((*c)->CreateTable({"trading", "v"}, "m0").code(), StatusCode::kAlreadyExists);
  Status swap = (*c)->SwapMetadataLocation({"trading", "v"}, "view0", "m1");
  EXPECT_EQ(swap.code(), StatusCode::kConflict);
  EXPECT_NE(swap.message().find("VIEW"), std::string::npos) << swap.message();
  EXPECT_EQ((*c)->DropTable({"trading", "v"}).code(), StatusCode::kNotFound);
  EXPECT_EQ(QueryOne(db, "SELECT metadata_location FROM iceberg_tables"), "view0");
  // A view's namespace still exists, as in Java and pyiceberg.
  EXPECT_EQ(*(*c)->ListNamespaces(), (std::vector<std::string>{"trading"}));
}

TEST(SqliteCatalogTest, UpgradesJavaV0LayoutAndTreatsNullTypeAsTable) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  // Java JdbcUtil V0 DDL, with a row written by a V0 client.
  ExecSql(db,
          "CREATE TABLE iceberg_tables(catalog_name VARCHAR(255) NOT NULL, "
          "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
          "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
          "PRIMARY KEY (catalog_name, table_namespace, table_name));"
          "CREATE TABLE iceberg_namespace_properties(catalog_name VARCHAR(255) NOT NULL, "
          "namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255), "
          "property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key));"
          "INSERT INTO iceberg_tables VALUES ('tradeflow', 'trading', 'trades', 'm0', NULL);");
  auto c = Open(db);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(QueryOne(db,
                     "SELECT count(*) FROM pragma_table_info('iceberg_tables') "
                     "WHERE name = 'iceberg_type' AND type = 'VARCHAR(5)'"),
            "1");
  EXPECT_EQ(*(*c)->LoadMetadataLocation(kTrades), "m0");
  EXPECT_EQ(*(*c)->ListTables("trading"), (std::vector<TableIdentifier>{kTrades}));
  ASSERT_TRUE((*c)->SwapMetadataLocation(kTrades, "m0", "m1").ok());
  ASSERT_TRUE((*c)->CreateTable({"trading", "quotes"}, "q0").ok());
  EXPECT_EQ(QueryOne(db, "SELECT iceberg_type FROM iceberg_tables WHERE table_name = 'quotes'"),
            "TABLE");
  // The upgrade happens once; reopening keeps working.
  c->reset();
  EXPECT_TRUE(Open(db).ok());
}

TEST(SqliteCatalogTest, AppendWritesLinearHistory) {
  TempDir dir;
  auto c = Open(dir.path() / "catalog.db");
  ASSERT_TRUE(c.ok());
  auto created = CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trading" / "trades");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  for (int i = 0; i < 3; ++i) {
    auto stats = AppendWithRetry(**c, kTrades, "solo");
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->conflicts, 0);
  }
  EXPECT_EQ(CheckLinearHistory(**c, kTrades, 3)["solo"], 3);
}

// --- Races ---

// Two writers load the same current location, both write their next metadata, then both swap.
// Exactly one wins; the loser gets Conflict, reloads and retries, so both commits land.
TEST(SqliteCatalogRaceTest, TwoThreadsOneWinsLoserRetries) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  {
    auto c = Open(db);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trades").ok());
  }
  std::barrier both_ready(2);
  Status first_try[2];
  std::string attempted[2];
  Status final_status[2];
  auto writer = [&](int w) {
    auto c = Open(db);  // own connection per thread
    if (!c.ok()) {
      final_status[w] = c.status();
      both_ready.arrive_and_drop();
      return;
    }
    auto current = (*c)->LoadMetadataLocation(kTrades);
    auto next = WriteNextMetadata(current->value(), "w" + std::to_string(w));
    attempted[w] = next.ok() ? *next : "";
    both_ready.arrive_and_wait();  // both have read the same base before either swaps
    first_try[w] = (*c)->SwapMetadataLocation(kTrades, current->value(), attempted[w]);
    if (first_try[w].code() == StatusCode::kConflict) {
      std::remove(LocalPath(attempted[w]).c_str());
      final_status[w] = AppendWithRetry(**c, kTrades, "w" + std::to_string(w)).status();
    }
  };
  std::thread t0(writer, 0), t1(writer, 1);
  t0.join();
  t1.join();

  ASSERT_TRUE(final_status[0].ok()) << final_status[0].ToString();
  ASSERT_TRUE(final_status[1].ok()) << final_status[1].ToString();
  int winners = first_try[0].ok() + first_try[1].ok();
  ASSERT_EQ(winners, 1) << first_try[0].ToString() << " / " << first_try[1].ToString();
  int loser = first_try[0].ok() ? 1 : 0;
  EXPECT_EQ(first_try[loser].code(), StatusCode::kConflict);

  auto c = Open(db);
  auto per_writer = CheckLinearHistory(**c, kTrades, 2);
  EXPECT_EQ(per_writer["w0"], 1);
  EXPECT_EQ(per_writer["w1"], 1);
  // The loser's retry sits on top of the winner's commit.
  EXPECT_EQ(QueryOne(db, "SELECT previous_metadata_location FROM iceberg_tables"),
            attempted[1 - loser]);
  EXPECT_EQ(CurrentSnapshot(*LoadMetadata(**c, kTrades))->summary.at("tradeflow.writer"),
            "w" + std::to_string(loser));
}

// Child side of the fork tests. Exit codes: 10 = first swap won, 11 = first swap lost with
// Conflict and the retry landed, 1 = anything else.
[[noreturn]] void RaceChild(const fs::path& db, int ready_fd, int go_fd, const std::string& tag) {
  auto c = Open(db);
  if (!c.ok()) _exit(1);
  auto current = (*c)->LoadMetadataLocation(kTrades);
  if (!current.ok() || !current->has_value()) _exit(1);
  auto next = WriteNextMetadata(current->value(), tag);
  if (!next.ok()) _exit(1);
  char byte = 'r';
  if (write(ready_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) != 1) _exit(1);
  Status st = (*c)->SwapMetadataLocation(kTrades, current->value(), *next);
  if (st.ok()) _exit(10);
  if (st.code() != StatusCode::kConflict) _exit(1);
  std::remove(LocalPath(*next).c_str());
  _exit(AppendWithRetry(**c, kTrades, tag).ok() ? 11 : 1);
}

TEST(SqliteCatalogRaceTest, TwoProcessesOneWinsLoserRetries) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  {
    auto c = Open(db);  // closed before fork: children must not inherit a live connection
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trades").ok());
  }
  int ready[2], go[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  pid_t pids[2];
  for (int w = 0; w < 2; ++w) {
    pids[w] = fork();
    ASSERT_GE(pids[w], 0);
    if (pids[w] == 0) RaceChild(db, ready[1], go[0], "p" + std::to_string(w));
  }
  char bytes[2];
  ASSERT_EQ(read(ready[0], &bytes[0], 1), 1);  // both children read the same base ...
  ASSERT_EQ(read(ready[0], &bytes[1], 1), 1);
  ASSERT_EQ(write(go[1], "gg", 2), 2);  // ... then both swap
  std::multiset<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    codes.insert(WEXITSTATUS(status));
  }
  for (int fd : {ready[0], ready[1], go[0], go[1]}) close(fd);
  EXPECT_EQ(codes, (std::multiset<int>{10, 11}));  // one winner, one loser that retried

  auto c = Open(db);
  auto per_writer = CheckLinearHistory(**c, kTrades, 2);
  EXPECT_EQ(per_writer["p0"], 1);
  EXPECT_EQ(per_writer["p1"], 1);
}

// Runs starting at once on a catalog that does not exist yet: each opens it (creating the file,
// switching it to WAL, creating the tables) without failing. Switching to WAL while another
// connection reads the new file is SQLITE_BUSY at once, which the open retries.
TEST(SqliteCatalogRaceTest, FourThreadsOpenANewCatalogAtOnce) {
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    const fs::path db = dir.path() / "catalog.db";
    std::barrier start(4);
    Status opened[4];
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        opened[t] = Open(db).status();
      });
    }
    for (auto& thread : threads) thread.join();
    for (const Status& st : opened)
      ASSERT_TRUE(st.ok()) << "round " << round << ": " << st.ToString();
  }
}

constexpr int kStressWriters = 4;
constexpr int kStressCommits = 20;

TEST(SqliteCatalogRaceTest, StressFourThreadsTwentyCommitsEach) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  {
    auto c = Open(db);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trades").ok());
  }
  std::vector<Status> results(kStressWriters);
  std::vector<int> swaps(kStressWriters, 0), conflicts(kStressWriters, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < kStressWriters; ++w) {
    threads.emplace_back([&, w] {
      auto c = Open(db);
      if (!c.ok()) {
        results[w] = c.status();
        return;
      }
      for (int i = 0; i < kStressCommits; ++i) {
        auto stats = AppendWithRetry(**c, kTrades, "t" + std::to_string(w));
        if (!stats.ok()) {
          results[w] = stats.status();
          return;
        }
        ++swaps[w];
        conflicts[w] += stats->conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  int total_swaps = 0;
  int total_conflicts = 0;
  for (int w = 0; w < kStressWriters; ++w) {
    ASSERT_TRUE(results[w].ok()) << results[w].ToString();
    total_swaps += swaps[w];
    total_conflicts += conflicts[w];
  }
  EXPECT_EQ(total_swaps, kStressWriters * kStressCommits);
  RecordProperty("conflicts", total_conflicts);

  auto c = Open(db);
  auto per_writer = CheckLinearHistory(**c, kTrades, kStressWriters * kStressCommits);
  for (int w = 0; w < kStressWriters; ++w) {
    EXPECT_EQ(per_writer["t" + std::to_string(w)], kStressCommits) << w;
  }
  // Every lost attempt removed its file: only the committed versions 0..80 remain.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "wh" / "trades" / "metadata")) {
    files += entry.path().string().ends_with(".metadata.json");
  }
  EXPECT_EQ(files, kStressWriters * kStressCommits + 1);
}

TEST(SqliteCatalogRaceTest, StressFourProcessesTwentyCommitsEach) {
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  {
    auto c = Open(db);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trades").ok());
  }
  std::vector<pid_t> pids;
  for (int w = 0; w < kStressWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto c = Open(db);
      if (!c.ok()) _exit(1);
      for (int i = 0; i < kStressCommits; ++i) {
        if (!AppendWithRetry(**c, kTrades, "p" + std::to_string(w)).ok()) _exit(2);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto c = Open(db);
  auto per_writer = CheckLinearHistory(**c, kTrades, kStressWriters * kStressCommits);
  for (int w = 0; w < kStressWriters; ++w) {
    EXPECT_EQ(per_writer["p" + std::to_string(w)], kStressCommits) << w;
  }
}

// --- Interoperability with pyiceberg's SqlCatalog ---

constexpr const char* kPyicebergScript = R"py(
import json, sys
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField

db, warehouse, step = sys.argv[1], sys.argv[2], sys.argv[3]
catalog = SqlCatalog("tradeflow", uri="sqlite:///" + db, warehouse="file://" + warehouse)
out = {}
if step == "read_ours_create_theirs":
    out["namespaces"] = [list(ns) for ns in catalog.list_namespaces()]
    out["tables"] = [list(t) for t in catalog.list_tables("trading")]
    table = catalog.load_table("trading.trades")
    out["metadata_location"] = table.metadata_location
    out["snapshots"] = len(table.metadata.snapshots)
    out["current_snapshot_id"] = table.metadata.current_snapshot_id
    out["last_sequence_number"] = table.metadata.last_sequence_number
    catalog.create_table("trading.py_made",
                         schema=Schema(NestedField(1, "x", LongType(), required=False)))
    other = SqlCatalog("not_tradeflow", uri="sqlite:///" + db, warehouse="file://" + warehouse)
    out["other_catalog_namespaces"] = [list(ns) for ns in other.list_namespaces()]
elif step == "read_our_commit_on_theirs":
    table = catalog.load_table("trading.py_made")
    out["snapshots"] = len(table.metadata.snapshots)
    out["metadata_location"] = table.metadata_location
print(json.dumps(out))
)py";

// Runs the script above; returns its JSON output (last line of stdout).
Result<json> RunPyiceberg(const std::string& python, const fs::path& dir, const std::string& step) {
  fs::path script = dir / "interop.py";
  TF_RETURN_IF_ERROR(WriteFile(script.string(), kPyicebergScript));
  std::string cmd = python + " " + script.string() + " " + (dir / "catalog.db").string() + " " +
                    (dir / "wh").string() + " " + step;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return Status::IOError("cannot run " + cmd);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  if (status != 0) return Status::IOError(cmd + " failed: " + output);
  std::string last_line = output.substr(output.rfind('\n', output.size() - 2) + 1);
  try {
    return json::parse(last_line);
  } catch (const json::exception& e) {
    return Status::Internal("pyiceberg printed no JSON: " + output);
  }
}

TEST(SqliteCatalogInteropTest, PyicebergSqlCatalogSharesTheDatabase) {
  const std::string python = TF_SOURCE_DIR "/.venv/bin/python";
  if (!fs::exists(python)) GTEST_SKIP() << "no pyiceberg venv at " << python;
  TempDir dir;
  fs::path db = dir.path() / "catalog.db";
  std::string our_location;
  int64_t our_snapshot = 0;
  {
    auto c = Open(db);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->CreateNamespace("trading").ok());
    ASSERT_TRUE(CreateTradesTable(**c, kTrades, dir.path() / "wh" / "trading" / "trades").ok());
    ASSERT_TRUE(AppendWithRetry(**c, kTrades, "cpp").ok());
    our_location = (*c)->LoadMetadataLocation(kTrades)->value();
    our_snapshot = *LoadMetadata(**c, kTrades)->current_snapshot_id;
  }

  auto py = RunPyiceberg(python, dir.path(), "read_ours_create_theirs");
  ASSERT_TRUE(py.ok()) << py.status().ToString();
  EXPECT_EQ((*py)["namespaces"], json::parse(R"([["trading"]])"));
  EXPECT_EQ((*py)["tables"], json::parse(R"([["trading", "trades"]])"));
  EXPECT_EQ((*py)["metadata_location"], our_location);
  EXPECT_EQ((*py)["snapshots"], 1);
  EXPECT_EQ((*py)["current_snapshot_id"], our_snapshot);
  EXPECT_EQ((*py)["last_sequence_number"], 1);
  EXPECT_EQ((*py)["other_catalog_namespaces"], json::array());

  // The table pyiceberg made is ours to list, load, parse and commit to.
  auto c = Open(db);
  ASSERT_TRUE(c.ok());
  const TableIdentifier theirs{"trading", "py_made"};
  EXPECT_EQ(*(*c)->ListTables("trading"), (std::vector<TableIdentifier>{theirs, kTrades}));
  EXPECT_EQ(QueryOne(db, "SELECT iceberg_type FROM iceberg_tables WHERE table_name = 'py_made'"),
            "TABLE");
  auto their_metadata = LoadMetadata(**c, theirs);
  ASSERT_TRUE(their_metadata.ok()) << their_metadata.status().ToString();
  EXPECT_FALSE(their_metadata->current_snapshot_id.has_value());
  ASSERT_TRUE(AppendWithRetry(**c, theirs, "cpp").ok());

  auto py2 = RunPyiceberg(python, dir.path(), "read_our_commit_on_theirs");
  ASSERT_TRUE(py2.ok()) << py2.status().ToString();
  EXPECT_EQ((*py2)["snapshots"], 1);
  EXPECT_EQ((*py2)["metadata_location"], (*c)->LoadMetadataLocation(theirs)->value());
}

}  // namespace
}  // namespace tradeflow::lake
