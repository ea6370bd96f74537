#include "lake/catalog/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace tradeflow::lake::sqlite {

Status SqliteError(sqlite3* db, const std::string& db_path, int rc, std::string_view what) {
  std::string msg = db_path;
  msg += ": ";
  msg += what;
  msg += ": ";
  // sqlite3_errmsg describes the most recent failure on the connection; fall back to the generic
  // text of the code when there is no connection (open failed before one existed).
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return Status::AlreadyExists(std::move(msg));
  }
  int primary = rc & 0xFF;  // extended codes carry the primary code in the low byte
  if (primary == SQLITE_BUSY) {
    // The statement did not take effect: a commit that fails so did not happen. (SQLITE_LOCKED,
    // a conflict inside one connection, is a bug to fix, not a reason to retry.)
    msg +=
        " (another connection held the database lock longer than the busy timeout; retry, and "
        "if it persists look for a stuck process using this file)";
    return Status::Unavailable(std::move(msg));
  }
  return Status::IOError(std::move(msg));
}

// --- Statement ---

Statement::Statement(sqlite3_stmt* stmt, sqlite3* db, std::string db_path, std::string sql)
    : stmt_(stmt), db_(db), db_path_(std::move(db_path)), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      db_path_(std::move(other.db_path_)),
      sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
    db_path_ = std::move(other.db_path_);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }  // no-op on nullptr

Status Statement::Bind(std::initializer_list<std::optional<std::string_view>> values) {
  int index = 1;
  for (const auto& value : values) {
    int rc = value.has_value() ? sqlite3_bind_text64(stmt_, index, value->data(), value->size(),
                                                     SQLITE_TRANSIENT, SQLITE_UTF8)
                               : sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) {
      return SqliteError(db_, db_path_, rc,
                         "binding parameter " + std::to_string(index) + " of '" + sql_ + "'");
    }
    ++index;
  }
  return Status::OK();
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, db_path_, rc, "executing '" + sql_ + "'");
}

std::optional<std::string> Statement::ColumnText(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

// --- Database ---

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, int busy_timeout_ms,
                                                 bool read_only) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // sqlite3_open_v2 returns a handle even on failure (for the message); the Database owns it from
  // here on so it is closed on every path.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return SqliteError(raw, path, rc, "cannot open SQLite catalog database");
  // Extended codes let SqliteError tell a primary-key clash from other constraint failures.
  sqlite3_extended_result_codes(raw, 1);
  rc = sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(raw, path, rc, "setting busy_timeout");
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }  // no-op on nullptr

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg() below still carries the message
  if (rc != SQLITE_OK) return SqliteError(db_, path_, rc, "executing '" + text + "'");
  return Status::OK();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_, path_, rc, "preparing '" + std::string(sql) + "'");
  }
  return Statement(stmt, db_, path_, std::string(sql));
}

int Database::Changes() const { return sqlite3_changes(db_); }

// --- ImmediateTransaction ---

Result<ImmediateTransaction> ImmediateTransaction::Begin(Database& db) {
  TF_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return ImmediateTransaction(&db);
}

ImmediateTransaction::ImmediateTransaction(ImmediateTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

ImmediateTransaction::~ImmediateTransaction() {
  // Best effort: a failed ROLLBACK leaves nothing better to do in a destructor, and SQLite rolls
  // back an open transaction when the connection closes anyway.
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status ImmediateTransaction::Commit() {
  Database* db = db_;
  Status st = db->Exec("COMMIT");
  // On failure SQLite may keep the transaction open (e.g. SQLITE_BUSY on COMMIT); leaving db_ set
  // makes the destructor roll it back so the connection stays usable.
  if (st.ok()) db_ = nullptr;
  return st;
}

}  // namespace tradeflow::lake::sqlite
