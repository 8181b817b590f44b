#include "interp/sqlite_db.hpp"

#include <sqlite3.h>

#include "core/error.hpp"

namespace saerad {

SqliteDb::SqliteDb(const std::filesystem::path& path, Mode mode) : path_(path), mode_(mode) {
  if (mode == Mode::ReadOnly && !std::filesystem::exists(path))
    fail_input("{}: no such feature store (run `saerad interpret` first)", path);
  int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    fail_input("{}: cannot open SQLite database: {}", path, message);
  }
  sqlite3_busy_timeout(db_, 30'000);  // writers queue behind each other instead of failing with SQLITE_BUSY
  if (mode == Mode::ReadWrite) exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

int64_t SqliteDb::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::changes() const { return sqlite3_changes(db_); }

void SqliteDb::raise(std::string_view what) const { fail("{}: {}: {}", path_, what, sqlite3_errmsg(db_)); }

void SqliteDb::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    fail("{}: SQL failed ({}): {}", path_, sql.substr(0, 80), message);
  }
}

SqliteStatement SqliteDb::prepare(std::string_view sql) { return SqliteStatement(*this, sql); }

bool SqliteDb::has_table(std::string_view name) {
  auto st = prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name=?");
  st.bind(1, name);
  return st.step();
}

SqliteStatement::SqliteStatement(SqliteDb& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), int(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    db.raise(fmt::format("cannot prepare '{}'", sql.substr(0, 80)));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_->raise("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_->raise("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), int(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_->raise("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_->raise("bind");
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->raise(fmt::format("query failed ({})", std::string_view(sqlite3_sql(stmt_)).substr(0, 80)));
}

void SqliteStatement::reset() { sqlite3_reset(stmt_); }

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t SqliteStatement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double SqliteStatement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string SqliteStatement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, column))) : "";
}
std::optional<double> SqliteStatement::real_opt(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}
std::optional<int64_t> SqliteStatement::int64_opt(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace saerad
