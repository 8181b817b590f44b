#include "llm/llm_cache.hpp"

#include <sqlite3.h>

#include "core/error.hpp"
#include "core/provenance.hpp"

namespace saerad::llm {

namespace {
// Finalises a prepared statement on every path out of a function.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};
}  // namespace

LlmCache::LlmCache(const std::filesystem::path& path) : path_(path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    fail_input("{}: cannot open the LLM cache: {}", path.string(), message);
  }
  // Other connections (the feature store, a second saerad) may hold the file: wait rather than fail.
  sqlite3_busy_timeout(db_, 30000);
  exec("PRAGMA journal_mode=WAL");
  exec("CREATE TABLE IF NOT EXISTS llm_cache(key TEXT PRIMARY KEY, request_json TEXT NOT NULL, "
       "response_json TEXT NOT NULL, created TEXT NOT NULL)");
}

LlmCache::~LlmCache() { sqlite3_close(db_); }

void LlmCache::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    fail("{}: LLM cache: {} ({})", path_.string(), text, sql);
  }
}

std::optional<Json> LlmCache::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement s;
  if (sqlite3_prepare_v2(db_, "SELECT response_json FROM llm_cache WHERE key = ?", -1, &s.stmt, nullptr) != SQLITE_OK)
    fail("{}: LLM cache: {}", path_.string(), sqlite3_errmsg(db_));
  sqlite3_bind_text(s.stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(s.stmt);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) fail("{}: LLM cache lookup: {}", path_.string(), sqlite3_errmsg(db_));
  const char* text = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 0));
  Json value = Json::parse(text ? text : "", nullptr, false);
  if (value.is_discarded()) return std::nullopt;  // a damaged row is a miss, and is overwritten on put()
  return value;
}

void LlmCache::put(const std::string& key, const Json& request, const Json& response) {
  std::lock_guard lock(mutex_);
  Statement s;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO llm_cache(key, request_json, response_json, created) VALUES (?,?,?,?)",
                         -1, &s.stmt, nullptr) != SQLITE_OK)
    fail("{}: LLM cache: {}", path_.string(), sqlite3_errmsg(db_));
  const std::string request_text = request.dump(), response_text = response.dump(), created = utc_timestamp();
  sqlite3_bind_text(s.stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 2, request_text.data(), static_cast<int>(request_text.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 3, response_text.data(), static_cast<int>(response_text.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 4, created.data(), static_cast<int>(created.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) fail("{}: LLM cache write: {}", path_.string(), sqlite3_errmsg(db_));
}

int64_t LlmCache::size() {
  std::lock_guard lock(mutex_);
  Statement s;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM llm_cache", -1, &s.stmt, nullptr) != SQLITE_OK)
    fail("{}: LLM cache: {}", path_.string(), sqlite3_errmsg(db_));
  if (sqlite3_step(s.stmt) != SQLITE_ROW) fail("{}: LLM cache: {}", path_.string(), sqlite3_errmsg(db_));
  return sqlite3_column_int64(s.stmt, 0);
}

}  // namespace saerad::llm
