#pragma once
// One client for every LLM saerad talks to: OpenAI-compatible chat completions (llama.cpp server,
// llama-cpp-python server, vLLM, Ollama, OpenAI) and the Anthropic Messages API.
//
// Every request asks for structured output with a JSON schema; replies are validated against it on
// receipt, so callers only ever see a JSON value that has the schema's shape (or a failure).
//   - OpenAI-compatible: response_format {type: json_schema, json_schema: {name, schema, strict: true}};
//     a server that rejects it (HTTP 400/422) is retried once with {type: json_object, schema} and that
//     choice is remembered for the endpoint (for the rest of the process).
//   - Anthropic: a forced tool call (tool_choice {type: tool}) whose input_schema is the schema; the key
//     comes from ANTHROPIC_API_KEY.
// Around that: a bounded pool of concurrent requests, timeouts, retries with exponential backoff + jitter
// on 429/5xx/network errors, a response cache in SQLite (llm_cache table), a failure list, token and cost
// totals, and a dry run that renders prompts and estimates tokens without sending anything.
//
// Privacy: a URL that is not loopback, or a hosted provider, is refused unless allow_remote is set.
// Radiology reports are patient data; MIMIC-CXR's data-use agreement forbids sending its reports to
// third-party services (e.g. hosted LLM APIs), so sending anything off this machine must be a deliberate,
// explicit choice (`--allow-remote-llm`), never a default or an accident of a typo in a URL.
//
// Usage:
//   LlmConfig config;  config.url = "http://127.0.0.1:8080/v1";  config.model = "qwen2.5-7b";
//   config.cache_path = "features.db";                       // optional; llm_cache table inside
//   LlmClient client(config);                                // throws InputError on a refused URL
//   std::vector<LlmRequest> requests = ...;                  // system + user text + schema
//   std::vector<LlmResult> results = client.complete_all(requests);   // concurrency = config.concurrency
//   for (auto& r : results) if (r.ok()) use(r.value);       // else r.error; also client.failures()
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json_io.hpp"

namespace httplib {
class Client;
}

namespace saerad::llm {

enum class Provider { OpenAI, Anthropic };

Provider parse_provider(const std::string& name);  // "openai" (also: llama.cpp, vllm, ollama) | "anthropic"
std::string provider_name(Provider provider);

struct LlmConfig {
  Provider provider = Provider::OpenAI;
  // OpenAI-compatible: the base URL that ends before /chat/completions, e.g. http://127.0.0.1:8080/v1.
  // Anthropic: empty means https://api.anthropic.com (the client appends /v1/messages).
  std::string url;
  std::string model;
  // Environment variable holding the API key; empty: OPENAI_API_KEY / ANTHROPIC_API_KEY by provider.
  // A loopback OpenAI-compatible server needs no key; Anthropic's hosted API does.
  std::string api_key_env;
  bool allow_remote = false;  // see the privacy note above
  int concurrency = 4;        // requests in flight at once (complete_all)
  double timeout_s = 120;     // per HTTP attempt (connect + read)
  int max_retries = 4;        // extra attempts after 429/5xx/network errors/timeouts
  double backoff_base_s = 0.5;  // delay before retry n: base·2^n · (1 ± 0.5 jitter), capped at backoff_max_s
  double backoff_max_s = 30;
  int malformed_retries = 1;  // extra attempts when a reply is not JSON of the schema
  double temperature = 0;
  std::optional<int64_t> seed = 0;  // sent to servers that take one (llama.cpp, vLLM, OpenAI)
  int max_tokens = 512;
  // Prices in US dollars per million tokens, for the cost total (0 = local/free).
  double usd_per_mtok_in = 0, usd_per_mtok_out = 0;
  // SQLite file for the llm_cache table (may be the feature store); empty = no cache.
  std::filesystem::path cache_path;
  bool dry_run = false;  // render + estimate tokens; nothing is sent, no result is ok()
  uint64_t jitter_seed = 0x5a3e;  // retry jitter (saerad::Rng); timing only, never content
};

// One structured-output request. The schema is a JSON Schema object (the subset json_schema.hpp checks).
struct LlmRequest {
  std::string tag;     // who asked, for the failure list and logs, e.g. "feature 123"
  std::string system;  // system prompt
  std::string user;    // user message
  std::string schema_name;  // [a-zA-Z0-9_-]{1,64}: OpenAI's json_schema.name and Anthropic's tool name
  Json schema;
  std::optional<int> max_tokens;  // overrides LlmConfig::max_tokens
};

enum class LlmStatus { Ok, Failed, DryRun };

struct LlmResult {
  LlmStatus status = LlmStatus::Failed;
  Json value;              // the validated reply (Ok only)
  std::string raw;         // the reply text as received (or the rendered prompt in a dry run)
  std::string error;       // why it failed (Failed only)
  bool from_cache = false;
  int attempts = 0;        // HTTP attempts made (0 for a cache hit or a dry run)
  int64_t input_tokens = 0, output_tokens = 0;  // as the server reported (estimated in a dry run)
  bool ok() const { return status == LlmStatus::Ok; }
};

struct LlmFailure {
  std::string tag;
  std::string error;
  int attempts = 0;
};

struct LlmTotals {
  int64_t requests = 0;       // complete() calls
  int64_t sent = 0;           // HTTP attempts
  int64_t cache_hits = 0;
  int64_t ok = 0, failed = 0, retries = 0;
  int64_t input_tokens = 0, output_tokens = 0;  // sent requests (cache hits excluded)
  int64_t estimated_tokens = 0;                 // dry run: prompt-token estimate
  double cost_usd = 0;
  double seconds = 0;         // wall time spent in complete_all / complete calls
  Json to_json() const;
};

class LlmCache;

class LlmClient {
 public:
  // Throws InputError when the URL is refused (non-loopback or hosted provider without allow_remote),
  // malformed, or a needed API key is missing. A dry run checks nothing that needs the network.
  explicit LlmClient(LlmConfig config);
  ~LlmClient();
  LlmClient(const LlmClient&) = delete;
  LlmClient& operator=(const LlmClient&) = delete;

  // One request, with retries, cache and validation; never throws for a failed request (see status).
  LlmResult complete(const LlmRequest& request);
  // Many requests, at most config.concurrency in flight; results in the order of `requests`. Identical
  // requests (same cache key) are sent once and the copies answered from that reply (counted as cache hits).
  // Each worker keeps its connection alive across its requests.
  // `on_done(index, result)` is called as each finishes (from worker threads, serialised by the client),
  // e.g. to store a feature's description at once so an interrupted run resumes from there.
  using DoneCallback = std::function<void(size_t index, const LlmResult& result)>;
  std::vector<LlmResult> complete_all(const std::vector<LlmRequest>& requests, const DoneCallback& on_done = {});

  LlmTotals totals() const;
  std::vector<LlmFailure> failures() const;
  const LlmConfig& config() const { return config_; }
  // The cache key of a request under this client's provider/model/sampling settings.
  std::string cache_key(const LlmRequest& request) const;

 private:
  // `http` is the caller's kept-alive connection (one per complete_all worker); null opens one for this request.
  // `key` is cache_key(request) (computed by the caller, which may need it too).
  LlmResult complete_one(const LlmRequest& request, const std::string& key, httplib::Client* http);  // no timing
  LlmResult complete_uncached(const LlmRequest& request, httplib::Client* http);
  std::unique_ptr<httplib::Client> connect() const;
  void record(const LlmRequest& request, const LlmResult& result);

  LlmConfig config_;
  std::string api_key_;
  std::unique_ptr<LlmCache> cache_;
  mutable std::mutex mutex_;
  LlmTotals totals_;
  std::vector<LlmFailure> failures_;
  std::atomic<uint64_t> jitter_counter_{0};
};

// Rough token count for a dry run and budgeting: ~4 characters per token (English prose, BPE tokenizers).
int64_t estimate_tokens(std::string_view text);

// True for 127.0.0.0/8, ::1 and "localhost" (a URL's host part).
bool is_loopback_host(const std::string& host);
// Throws InputError explaining the data-use reason when `config` would send data off this machine and
// allow_remote is not set.
void check_remote_allowed(const LlmConfig& config);

}  // namespace saerad::llm
