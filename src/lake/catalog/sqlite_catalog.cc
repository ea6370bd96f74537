#include "lake/catalog/sqlite_catalog.h"

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "common/crash_points.h"
#include "lake/catalog/sqlite_db.h"

namespace tradeflow::lake {
namespace {

// DDL as SQLAlchemy emits it for pyiceberg 0.12's IcebergTables / IcebergNamespaceProperties
// (same names, types, nullability and primary keys as Java JdbcUtil V1, except that pyiceberg
// also marks property_key/property_value NOT NULL; we never write NULL there).
constexpr std::string_view kCreateTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name)
);
CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000) NOT NULL,
  PRIMARY KEY (catalog_name, namespace, property_key)
);
)sql";

// Java's V0 layout lacks iceberg_type; JdbcCatalog's V1 migration adds it with this statement.
constexpr std::string_view kHasIcebergTypeSql =
    "SELECT 1 FROM pragma_table_info('iceberg_tables') WHERE name = 'iceberg_type'";
constexpr std::string_view kAddIcebergTypeSql =
    "ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)";

// Rows that are tables: 'TABLE' from V1 writers, NULL from V0 writers. Views are skipped.
#define TF_TABLE_TYPE_FILTER "(iceberg_type = 'TABLE' OR iceberg_type IS NULL)"

constexpr std::string_view kInsertNamespaceSql =
    "INSERT OR IGNORE INTO iceberg_namespace_properties "
    "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, 'exists', 'true')";

constexpr std::string_view kListNamespacesSql =
    "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 "
    "UNION SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 "
    "ORDER BY 1";

constexpr std::string_view kListAllTablesSql =
    "SELECT table_namespace, table_name FROM iceberg_tables "
    "WHERE catalog_name = ? AND " TF_TABLE_TYPE_FILTER " ORDER BY 1, 2";

constexpr std::string_view kListTablesSql =
    "SELECT table_namespace, table_name FROM iceberg_tables "
    "WHERE catalog_name = ? AND table_namespace = ? AND " TF_TABLE_TYPE_FILTER " ORDER BY 1, 2";

constexpr std::string_view kLoadSql =
    "SELECT metadata_location FROM iceberg_tables "
    "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND " TF_TABLE_TYPE_FILTER;

// Any row, table or view: used to explain a failed swap.
constexpr std::string_view kLoadAnyTypeSql =
    "SELECT metadata_location, iceberg_type FROM iceberg_tables "
    "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?";

constexpr std::string_view kInsertTableSql =
    "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
    "previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')";

// The compare-and-swap, as Java JdbcUtil.updateTable (V1) issues it.
constexpr std::string_view kSwapSql =
    "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
    "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ? "
    "AND " TF_TABLE_TYPE_FILTER;

constexpr std::string_view kDropSql =
    "DELETE FROM iceberg_tables "
    "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND " TF_TABLE_TYPE_FILTER;

#undef TF_TABLE_TYPE_FILTER

// The first column of every row the statement yields, as text.
Result<std::vector<std::string>> FirstColumn(sqlite::Statement& stmt) {
  std::vector<std::string> out;
  while (true) {
    TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(stmt.ColumnText(0).value_or(""));
  }
  return out;
}

class SqliteCatalog final : public Catalog {
 public:
  SqliteCatalog(std::unique_ptr<sqlite::Database> db, std::string name)
      : db_(std::move(db)), name_(std::move(name)) {}

  const std::string& name() const override { return name_; }

  Result<std::vector<std::string>> CatalogNamesInStore() override {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT DISTINCT catalog_name FROM iceberg_tables "
                                                "ORDER BY catalog_name"));
    return FirstColumn(stmt);
  }

  std::string identity() const override {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(db_->path(), ec);
    return "sqlite:" + (ec ? db_->path() : canonical.string()) + "#" + name_;
  }

  Status CreateNamespace(const std::string& ns) override {
    TF_RETURN_IF_ERROR(ValidateNamespace(ns).WithContext(Where()));
    TF_ASSIGN_OR_RETURN(auto txn, sqlite::ImmediateTransaction::Begin(*db_));
    TF_RETURN_IF_ERROR(InsertNamespaceRow(ns));
    return txn.Commit();
  }

  Result<std::vector<std::string>> ListNamespaces() override {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kListNamespacesSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_}));
    return FirstColumn(stmt);
  }

  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(ns.empty() ? kListAllTablesSql : kListTablesSql));
    if (ns.empty()) {
      TF_RETURN_IF_ERROR(stmt.Bind({name_}));
    } else {
      TF_RETURN_IF_ERROR(stmt.Bind({name_, ns}));
    }
    std::vector<TableIdentifier> out;
    while (true) {
      TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back({stmt.ColumnText(0).value_or(""), stmt.ColumnText(1).value_or("")});
    }
    return out;
  }

  Result<std::optional<std::string>> LoadMetadataLocation(const TableIdentifier& id) override {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kLoadSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_, id.ns, id.name}));
    TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<std::string>();
    std::optional<std::string> location = stmt.ColumnText(0);
    if (!location.has_value() || location->empty()) {
      return Status::Invalid(Where() + ": table " + id.ToString() +
                             " has no metadata_location; the row is damaged, drop and recreate "
                             "the table or fix the row by hand");
    }
    return location;
  }

  Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) override {
    TF_RETURN_IF_ERROR(ValidateTableIdentifier(id).WithContext(Where()));
    TF_RETURN_IF_ERROR(ValidateMetadataLocation(metadata_location).WithContext(Where()));
    TF_ASSIGN_OR_RETURN(auto txn, sqlite::ImmediateTransaction::Begin(*db_));
    TF_RETURN_IF_ERROR(InsertNamespaceRow(id.ns));
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kInsertTableSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_, id.ns, id.name, metadata_location}));
    Result<bool> step = stmt.Step();
    if (!step.ok()) {
      if (step.status().code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists(Where() + ": table " + id.ToString() +
                                     " already exists (as a table or a view); load it, drop it "
                                     "first, or choose another name");
      }
      return step.status().WithContext("creating table " + id.ToString());
    }
    return txn.Commit();
  }

  Status SwapMetadataLocation(const TableIdentifier& id, const std::string& expected_location,
                              const std::string& new_location,
                              const std::vector<SwapGuard>& guards = {}) override {
    TF_RETURN_IF_ERROR(ValidateMetadataLocation(new_location).WithContext(Where()));
    TF_ASSIGN_OR_RETURN(auto txn, sqlite::ImmediateTransaction::Begin(*db_));
    // Under the write lock: no other writer can change a guarded table before this one commits.
    for (const SwapGuard& guard : guards) {
      auto now = LoadMetadataLocation(guard.id);
      if (!now.ok()) {
        // Before the UPDATE: the transaction rolls back, so the swap certainly did not happen.
        return Status::Unavailable(now.status().message() + " (reading table " +
                                   guard.id.ToString() + ", which the commit to " + id.ToString() +
                                   " depends on)");
      }
      if (*now != guard.metadata_location) {
        return Status::Conflict(Where() + ": commit to table " + id.ToString() +
                                " lost the race: table " + guard.id.ToString() +
                                ", which it was checked against, changed meanwhile; reload, "
                                "check again and retry");
      }
    }
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kSwapSql));
    TF_RETURN_IF_ERROR(
        stmt.Bind({new_location, expected_location, name_, id.ns, id.name, expected_location}));
    TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    (void)row;  // an UPDATE returns no rows
    if (db_->Changes() == 1) {
      CrashPoint("catalog-commit");  // inside the transaction: SQLite must roll it back
      return txn.Commit();
    }
    // Lost the race (or the table is gone). Say what the row holds now; we still hold the write
    // lock, so this read sees exactly the state the UPDATE compared against.
    TF_ASSIGN_OR_RETURN(std::string now, DescribeCurrentRow(id));
    return Status::Conflict(Where() + ": commit to table " + id.ToString() +
                            " lost the race: another writer committed first (expected "
                            "metadata_location '" +
                            expected_location + "', but " + now +
                            "); reload the table metadata, re-apply the change and retry");
  }

  Status DropTable(const TableIdentifier& id) override {
    TF_ASSIGN_OR_RETURN(auto txn, sqlite::ImmediateTransaction::Begin(*db_));
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kDropSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_, id.ns, id.name}));
    TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    (void)row;
    if (db_->Changes() == 0) {
      return Status::NotFound(Where() + ": cannot drop table " + id.ToString() +
                              ": no such table; check the namespace and name");
    }
    return txn.Commit();
  }

 private:
  std::string Where() const { return "catalog '" + name_ + "' in " + db_->path(); }

  // REQUIRES: inside a write transaction.
  Status InsertNamespaceRow(const std::string& ns) {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kInsertNamespaceSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_, ns}));
    return stmt.Step().status();
  }

  Result<std::string> DescribeCurrentRow(const TableIdentifier& id) {
    TF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kLoadAnyTypeSql));
    TF_RETURN_IF_ERROR(stmt.Bind({name_, id.ns, id.name}));
    TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::string("the table no longer exists");
    std::optional<std::string> type = stmt.ColumnText(1);
    if (type.has_value() && *type != "TABLE") return "the name now holds a " + *type;
    return "it is now '" + stmt.ColumnText(0).value_or("NULL") + "'";
  }

  std::unique_ptr<sqlite::Database> db_;
  std::string name_;
};

// Creates both catalog tables, or completes an existing V0 layout, in one write transaction so
// concurrent openers of a fresh database do not trip over each other.
Status EnsureCatalogTables(sqlite::Database& db) {
  TF_ASSIGN_OR_RETURN(auto txn, sqlite::ImmediateTransaction::Begin(db));
  TF_RETURN_IF_ERROR(db.Exec(kCreateTablesSql));
  TF_ASSIGN_OR_RETURN(auto probe, db.Prepare(kHasIcebergTypeSql));
  TF_ASSIGN_OR_RETURN(bool has_type, probe.Step());
  if (!has_type) TF_RETURN_IF_ERROR(db.Exec(kAddIcebergTypeSql));
  return txn.Commit();
}

// WAL lets readers (pyiceberg, Trino) work while a writer commits. The setting is stored in the
// database file, so every later connection gets it too.
//
// Switching a new database to WAL while another connection (a second run's first start) also
// reads it returns SQLITE_BUSY at once, without the busy handler (SQLite's deadlock avoidance):
// so the switch is retried here, within the busy timeout.
Result<std::string> JournalModeWal(sqlite::Database& db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kSqliteBusyTimeoutMs);
  for (;;) {
    Result<std::string> mode = [&]() -> Result<std::string> {
      TF_ASSIGN_OR_RETURN(auto stmt, db.Prepare("PRAGMA journal_mode=WAL"));
      TF_ASSIGN_OR_RETURN(bool row, stmt.Step());
      return row ? stmt.ColumnText(0).value_or("") : "";
    }();
    const bool busy =
        !mode.ok() && mode.status().message().find("database is locked") != std::string::npos;
    if (!busy || std::chrono::steady_clock::now() >= deadline) return mode;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status EnableWal(sqlite::Database& db, const std::string& db_path) {
  TF_ASSIGN_OR_RETURN(std::string mode, JournalModeWal(db));
  if (mode == "wal" || mode == "memory") return Status::OK();  // memory: an in-memory test db
  return Status::IOError(db_path +
                         ": cannot switch the SQLite catalog to WAL journal mode (it is '" + mode +
                         "'); concurrent writers need WAL, so keep the database on a local file "
                         "system that supports shared memory (not NFS/SMB)");
}

// The name must fit the catalog_name column that Java's JdbcCatalog and pyiceberg share.
Status CheckCatalogName(const std::string& db_path, const std::string& catalog_name) {
  if (!catalog_name.empty() && catalog_name.size() <= 255) return Status::OK();
  return Status::Invalid("SQLite catalog " + db_path + ": catalog name '" + catalog_name +
                         "' must have 1 to 255 characters; use the name Spark, Trino or "
                         "pyiceberg are configured with");
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& db_path,
                                                   const std::string& catalog_name) {
  TF_RETURN_IF_ERROR(CheckCatalogName(db_path, catalog_name));
  if (db_path.empty()) {
    return Status::Invalid("SQLite catalog '" + catalog_name + "': database path is empty");
  }
  if (db_path != ":memory:") {
    std::filesystem::path parent = std::filesystem::path(db_path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::IOError("SQLite catalog " + db_path + ": cannot create folder " +
                             parent.string() + ": " + ec.message());
    }
  }
  TF_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                      sqlite::Database::Open(db_path, kSqliteBusyTimeoutMs));
  TF_RETURN_IF_ERROR(EnableWal(*db, db_path));
  TF_RETURN_IF_ERROR(EnsureCatalogTables(*db));
  return std::unique_ptr<Catalog>(std::make_unique<SqliteCatalog>(std::move(db), catalog_name));
}

Result<std::unique_ptr<Catalog>> OpenSqliteCatalogToRead(const std::string& db_path,
                                                         const std::string& catalog_name) {
  TF_RETURN_IF_ERROR(CheckCatalogName(db_path, catalog_name));
  TF_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                      sqlite::Database::Open(db_path, kSqliteBusyTimeoutMs, /*read_only=*/true));
  TF_ASSIGN_OR_RETURN(
      auto probe,
      db->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'iceberg_tables'"));
  TF_ASSIGN_OR_RETURN(bool has_tables, probe.Step());
  if (!has_tables) {
    return Status::Invalid(db_path +
                           ": an SQLite database without an iceberg_tables table, so not an "
                           "Iceberg SQL catalog (left untouched)");
  }
  return std::unique_ptr<Catalog>(std::make_unique<SqliteCatalog>(std::move(db), catalog_name));
}

}  // namespace tradeflow::lake
