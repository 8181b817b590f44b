#pragma once
// The LLM response cache: table llm_cache(key, request_json, response_json, created) in any SQLite file
// (usually the feature store, so a store carries the replies that made it). A rerun or a resumed run
// answers every request it has seen from here without sending it again. Thread-safe; WAL mode, so the
// feature store's own connection can write the same file at the same time.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "core/json_io.hpp"

struct sqlite3;

namespace saerad::llm {

class LlmCache {
 public:
  explicit LlmCache(const std::filesystem::path& path);  // creates the file/table when missing
  ~LlmCache();
  LlmCache(const LlmCache&) = delete;
  LlmCache& operator=(const LlmCache&) = delete;

  std::optional<Json> get(const std::string& key);
  void put(const std::string& key, const Json& request, const Json& response);
  int64_t size();

 private:
  void exec(const char* sql);
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

}  // namespace saerad::llm
