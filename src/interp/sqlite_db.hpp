#pragma once
// A thin RAII layer over SQLite for the feature store (and anything built on it: report, serve, demo):
// connections opened read-only or read-write (WAL, busy timeout), prepared statements with typed binds and
// column reads, and transactions that roll back unless committed. Errors name the database file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace saerad {

class SqliteStatement;

class SqliteDb {
 public:
  enum class Mode { ReadOnly, ReadWrite };
  SqliteDb(const std::filesystem::path& path, Mode mode);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(const std::string& sql);  // statements without results (DDL, PRAGMA, BEGIN/COMMIT)
  SqliteStatement prepare(std::string_view sql);
  bool has_table(std::string_view name);
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::filesystem::path& path() const { return path_; }
  Mode mode() const { return mode_; }
  sqlite3* handle() const { return db_; }
  [[noreturn]] void raise(std::string_view what) const;  // throws Error "<db>: <what>: <sqlite message>"

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  Mode mode_;
};

class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // 1-based, as SQLite. Strings are copied (SQLITE_TRANSIENT).
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, int value) { return bind(index, int64_t(value)); }
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind_null(int index);
  template <class T>
  SqliteStatement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  bool step();  // true while a row is available; false when done
  void run() { while (step()) {} }  // steps to the end (INSERT/UPDATE)
  void reset();  // ready to step again; bindings kept

  bool is_null(int column) const;  // 0-based, as SQLite
  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;  // "" for NULL
  std::optional<double> real_opt(int column) const;
  std::optional<int64_t> int64_opt(int column) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back unless commit() was called (so a failure mid-way writes nothing).
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace saerad
