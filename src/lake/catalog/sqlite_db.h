// Thin RAII layer over the SQLite C API, used by the SQLite catalog.
//
// Database owns one sqlite3* connection, Statement one sqlite3_stmt*, and ImmediateTransaction one
// open "BEGIN IMMEDIATE" transaction (rolled back unless Commit() succeeds). Every failure becomes
// a tradeflow::Status whose message names the database file, so a user reading the log knows which
// catalog is at fault. Mapping of SQLite result codes:
//   SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE -> AlreadyExists (callers rephrase it)
//   SQLITE_BUSY / SQLITE_LOCKED             -> IOError saying the busy timeout ran out
//   anything else                           -> IOError with sqlite3_errmsg()
//
// Thread-compatible: a Database and its Statements must be used by one thread at a time.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tradeflow::lake::sqlite {

// A prepared statement. Create with Database::Prepare().
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameters 1..N in order; std::nullopt binds SQL NULL. Text is copied.
  Status Bind(std::initializer_list<std::optional<std::string_view>> values);

  // Advances the statement: true when a row is available, false when done.
  Result<bool> Step();

  // Text of column `index` of the current row; std::nullopt for SQL NULL.
  std::optional<std::string> ColumnText(int index) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db, std::string db_path, std::string sql);

  sqlite3_stmt* stmt_;  // owned; finalized in the destructor
  sqlite3* db_;         // not owned; for error messages
  std::string db_path_;
  std::string sql_;  // for error messages
};

// One open connection to a database file.
class Database {
 public:
  // Opens (creating if missing) the database at `path` and sets a busy timeout, so writers wait
  // for each other instead of failing at once with "database is locked". `read_only`: an
  // existing database, never written (nor created).
  static Result<std::unique_ptr<Database>> Open(const std::string& path, int busy_timeout_ms,
                                                bool read_only = false);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more SQL statements that take no parameters and return no rows of interest.
  Status Exec(std::string_view sql);

  Result<Statement> Prepare(std::string_view sql);

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  int Changes() const;

  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;  // owned; closed in the destructor
  std::string path_;
};

// A write transaction that takes the database's write lock up front (BEGIN IMMEDIATE). Taking it
// at the start, instead of upgrading a read lock later, is what lets SQLite's busy handler queue
// concurrent writers; a read->write upgrade fails with SQLITE_BUSY without waiting.
class ImmediateTransaction {
 public:
  static Result<ImmediateTransaction> Begin(Database& db);

  ImmediateTransaction(ImmediateTransaction&& other) noexcept;
  ImmediateTransaction& operator=(ImmediateTransaction&&) = delete;
  ImmediateTransaction(const ImmediateTransaction&) = delete;
  ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;
  ~ImmediateTransaction();  // ROLLBACK unless committed

  Status Commit();

 private:
  explicit ImmediateTransaction(Database* db) : db_(db) {}

  Database* db_;  // not owned; nullptr once committed, rolled back or moved from
};

// Builds the Status for SQLite result code `rc` ("<db_path>: <what>: <sqlite message>").
Status SqliteError(sqlite3* db, const std::string& db_path, int rc, std::string_view what);

}  // namespace tradeflow::lake::sqlite
