#include "llm/client.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "llm/json_schema.hpp"
#include "llm/llm_cache.hpp"
#include "llm/wire_format.hpp"

namespace saerad::llm {

Provider parse_provider(const std::string& name) {
  const std::string n = to_lower(name);
  if (n == "openai" || n == "llama.cpp" || n == "llamacpp" || n == "vllm" || n == "ollama") return Provider::OpenAI;
  if (n == "anthropic") return Provider::Anthropic;
  fail_input("--llm-provider '{}': expected openai (any OpenAI-compatible server: llama.cpp, vLLM, Ollama) or anthropic",
             name);
}

std::string provider_name(Provider provider) { return provider == Provider::Anthropic ? "anthropic" : "openai"; }

int64_t estimate_tokens(std::string_view text) { return static_cast<int64_t>((text.size() + 3) / 4); }

bool is_loopback_host(const std::string& host) {
  const std::string h = to_lower(host);
  if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8: four dotted decimal parts, the first 127.
  auto parts = split(h, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  return std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
    return !p.empty() && p.size() <= 3 && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
           std::stoi(p) <= 255;
  });
}

namespace {
std::string effective_url(const LlmConfig& config) {
  if (!config.url.empty()) return config.url;
  if (config.provider == Provider::Anthropic) return kAnthropicDefaultUrl;
  fail_input("no LLM URL given: pass --llm-url (e.g. http://127.0.0.1:8080/v1 for a local llama.cpp server)");
}
}  // namespace

void check_remote_allowed(const LlmConfig& config) {
  if (config.allow_remote) return;
  const std::string url = effective_url(config);
  const Url parsed = parse_url(url);
  if (is_loopback_host(parsed.host)) return;
  // Why this is a hard stop: radiology reports are patient data. MIMIC-CXR's data-use agreement forbids
  // sharing the reports with third parties, which includes hosted LLM APIs; IU X-Ray and in-house data
  // usually carry similar terms. Sending must be an explicit decision, never a default.
  fail_input(
      "refusing to send radiology reports to {} ({}): it is not on this machine. Reports are patient data, and "
      "MIMIC-CXR's data-use terms forbid sending them to third-party services such as hosted LLM APIs. Use a local "
      "server on 127.0.0.1, or pass --allow-remote-llm if your data's terms allow it (see docs/llm.md)",
      url, config.provider == Provider::Anthropic && config.url.empty() ? "the hosted Anthropic API" : "a remote host");
}

// Which output mode each OpenAI-compatible endpoint accepts, learnt once per process (a server that
// rejected json_schema is asked with json_object from then on, by every client).
namespace {
std::mutex endpoint_modes_mutex;
std::map<std::string, OutputMode>& endpoint_modes() {
  static std::map<std::string, OutputMode> modes;
  return modes;
}
OutputMode endpoint_mode(const std::string& endpoint) {
  std::lock_guard lock(endpoint_modes_mutex);
  auto it = endpoint_modes().find(endpoint);
  return it == endpoint_modes().end() ? OutputMode::JsonSchema : it->second;
}
void remember_endpoint_mode(const std::string& endpoint, OutputMode mode) {
  std::lock_guard lock(endpoint_modes_mutex);
  endpoint_modes()[endpoint] = mode;
}

// A server that does not know response_format {type: json_schema} says so with 400 or 422 — or, in
// llama-cpp-python 0.3.x, with its request-validation error wrapped as HTTP 500 ("Input should be 'text'
// or 'json_object'"), which would otherwise be retried as a server fault until the retries ran out.
bool rejects_json_schema(const httplib::Response& response) {
  if (response.status == 400 || response.status == 422) return true;
  return response.status == 500 && response.body.find("response_format") != std::string::npos &&
         response.body.find("json_object") != std::string::npos;
}

bool retryable_status(int status) { return status == 429 || status == 408 || status >= 500; }

std::string snippet(const std::string& text, size_t limit = 300) {
  std::string s = collapse_whitespace(text);
  return s.size() <= limit ? s : s.substr(0, limit) + "…";
}
}  // namespace

Json LlmTotals::to_json() const {
  return {{"requests", requests},         {"sent", sent},
          {"cache_hits", cache_hits},     {"ok", ok},
          {"failed", failed},             {"retries", retries},
          {"input_tokens", input_tokens}, {"output_tokens", output_tokens},
          {"estimated_tokens", estimated_tokens}, {"cost_usd", cost_usd},
          {"seconds", seconds}};
}

LlmClient::LlmClient(LlmConfig config) : config_(std::move(config)) {
  if (config_.model.empty()) fail_input("no LLM model given: pass --llm-model (the name the server knows it by)");
  if (config_.concurrency < 1) fail_input("--concurrency must be at least 1, not {}", config_.concurrency);
  config_.url = effective_url(config_);
  const Url url = parse_url(config_.url);  // validates
  if (!config_.dry_run) check_remote_allowed(config_);
  std::string key_env = config_.api_key_env;
  if (key_env.empty()) key_env = config_.provider == Provider::Anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
  if (const char* key = std::getenv(key_env.c_str())) api_key_ = key;
  if (!config_.dry_run && api_key_.empty() && config_.provider == Provider::Anthropic && !is_loopback_host(url.host))
    fail_input("the Anthropic API needs a key: set {}", key_env);
  if (!config_.cache_path.empty()) cache_ = std::make_unique<LlmCache>(config_.cache_path);
}

LlmClient::~LlmClient() = default;

std::string LlmClient::cache_key(const LlmRequest& request) const {
  // The URL is left out on purpose: the same model behind another port or host gives the same answer,
  // and a resumed run may find its server elsewhere.
  Json identity = {{"cache_version", 1},
                   {"provider", provider_name(config_.provider)},
                   {"model", config_.model},
                   {"system", request.system},
                   {"user", request.user},
                   {"schema_name", request.schema_name},
                   {"schema", request.schema},
                   {"temperature", config_.temperature},
                   {"seed", config_.seed ? Json(*config_.seed) : Json()},
                   {"max_tokens", request.max_tokens.value_or(config_.max_tokens)}};
  return sha256_hex(identity.dump());
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

LlmResult LlmClient::complete(const LlmRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  LlmResult result = complete_one(request, cache_ ? cache_key(request) : std::string(), nullptr);
  std::lock_guard lock(mutex_);
  totals_.seconds += seconds_since(start);
  return result;
}

LlmResult LlmClient::complete_one(const LlmRequest& request, const std::string& key, httplib::Client* http) {
  LlmResult result;
  std::optional<Json> cached = cache_ ? cache_->get(key) : std::nullopt;
  if (cached && cached->contains("value") && !schema_violation((*cached)["value"], request.schema)) {
    result.status = LlmStatus::Ok;
    result.value = (*cached)["value"];
    result.raw = cached->value("raw", "");
    result.from_cache = true;
  } else if (config_.dry_run) {
    result.status = LlmStatus::DryRun;
    result.raw = request.system.empty() ? request.user : request.system + "\n\n" + request.user;
    result.input_tokens = estimate_tokens(result.raw) + estimate_tokens(request.schema.dump());
  } else {
    result = complete_uncached(request, http);
    if (result.ok() && cache_) {
      Json stored_request = {{"provider", provider_name(config_.provider)}, {"model", config_.model},
                             {"system", request.system},                    {"user", request.user},
                             {"schema_name", request.schema_name},          {"schema", request.schema}};
      cache_->put(key, stored_request, {{"value", result.value}, {"raw", result.raw},
                                        {"input_tokens", result.input_tokens}, {"output_tokens", result.output_tokens}});
    }
  }
  record(request, result);
  return result;
}

void LlmClient::record(const LlmRequest& request, const LlmResult& result) {
  std::lock_guard lock(mutex_);
  ++totals_.requests;
  if (result.from_cache) ++totals_.cache_hits;
  totals_.sent += result.attempts;
  totals_.retries += std::max(0, result.attempts - 1);
  if (result.status == LlmStatus::DryRun) {
    totals_.estimated_tokens += result.input_tokens;
    return;
  }
  if (!result.from_cache) {
    totals_.input_tokens += result.input_tokens;
    totals_.output_tokens += result.output_tokens;
    totals_.cost_usd += (result.input_tokens * config_.usd_per_mtok_in + result.output_tokens * config_.usd_per_mtok_out) / 1e6;
  }
  if (result.ok()) {
    ++totals_.ok;
  } else {
    ++totals_.failed;
    failures_.push_back({request.tag, result.error, result.attempts});
  }
}

std::unique_ptr<httplib::Client> LlmClient::connect() const {
  auto http = std::make_unique<httplib::Client>(parse_url(config_.url).origin());
  const auto whole = static_cast<time_t>(config_.timeout_s);
  const auto micros = static_cast<time_t>((config_.timeout_s - static_cast<double>(whole)) * 1e6);
  http->set_connection_timeout(whole, micros);
  http->set_read_timeout(whole, micros);
  http->set_write_timeout(whole, micros);
  http->set_tcp_nodelay(true);  // headers and body go out as separate writes: without this, Nagle + delayed ACK add ~40 ms
  http->set_keep_alive(true);  // a worker's requests share one connection (httplib reconnects if it was closed)
  return http;
}

LlmResult LlmClient::complete_uncached(const LlmRequest& request, httplib::Client* shared_http) {
  LlmResult result;
  const Url url = parse_url(config_.url);
  const bool anthropic = config_.provider == Provider::Anthropic;
  const std::string path = url.path + (anthropic ? "/v1/messages" : "/chat/completions");
  const std::string endpoint = url.origin() + path;

  std::unique_ptr<httplib::Client> own_http;
  if (!shared_http) own_http = connect();
  httplib::Client& http = shared_http ? *shared_http : *own_http;
  httplib::Headers headers;
  if (anthropic) {
    headers.emplace("anthropic-version", kAnthropicVersion);
    if (!api_key_.empty()) headers.emplace("x-api-key", api_key_);
  } else if (!api_key_.empty()) {
    headers.emplace("Authorization", "Bearer " + api_key_);
  }

  Rng jitter = Rng(config_.jitter_seed).split(jitter_counter_.fetch_add(1));
  int transient_failures = 0, malformed_replies = 0;
  bool fell_back = false;
  std::string last_error;
  while (true) {
    const OutputMode mode = anthropic ? OutputMode::JsonSchema : endpoint_mode(endpoint);
    const Json body = anthropic ? anthropic_body(config_, request) : openai_body(config_, request, mode);
    ++result.attempts;
    auto response = http.Post(path, headers, body.dump(), "application/json");
    double retry_after = -1;
    if (!response) {
      last_error = fmt::format("{}: {}", endpoint, httplib::to_string(response.error()));
    } else if (response->status == 200) {
      Json reply_body = Json::parse(response->body, nullptr, false);
      WireReply reply;
      if (reply_body.is_discarded()) {
        reply.problem = "reply body is not JSON";
        reply.raw = response->body;
      } else {
        reply = anthropic ? parse_anthropic_reply(reply_body, request.schema_name) : parse_openai_reply(reply_body);
      }
      result.input_tokens += reply.input_tokens;
      result.output_tokens += reply.output_tokens;
      result.raw = reply.raw;
      std::optional<std::string> violation;
      if (reply.value) violation = schema_violation(*reply.value, request.schema);
      if (reply.value && !violation) {
        result.status = LlmStatus::Ok;
        result.value = std::move(*reply.value);
        return result;
      }
      last_error = fmt::format("{}: malformed reply ({}): {}", endpoint, violation ? *violation : reply.problem,
                               snippet(reply.raw));
      if (malformed_replies++ >= config_.malformed_retries) break;
      continue;  // a malformed reply is not a server fault: no backoff
    } else if (!anthropic && !fell_back && mode == OutputMode::JsonSchema && rejects_json_schema(*response)) {
      // The server does not take response_format json_schema: ask once more with json_object + schema,
      // and keep asking that way.
      fell_back = true;
      remember_endpoint_mode(endpoint, OutputMode::JsonObject);
      log_warning(fmt::format("{} rejected response_format json_schema (HTTP {}); using json_object with a schema",
                              endpoint, response->status));
      continue;
    } else {
      last_error = fmt::format("{}: HTTP {}: {}", endpoint, response->status, snippet(response->body));
      if (!retryable_status(response->status)) break;
      if (response->has_header("Retry-After")) {
        try {
          retry_after = std::stod(response->get_header_value("Retry-After"));
        } catch (const std::exception&) {
          retry_after = -1;  // an HTTP date: fall back to our own backoff
        }
      }
    }
    if (transient_failures >= config_.max_retries) break;
    double delay = config_.backoff_base_s * std::pow(2.0, transient_failures) * (0.5 + jitter.uniform());
    if (retry_after >= 0) delay = std::max(delay, retry_after);
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(delay, config_.backoff_max_s)));
    ++transient_failures;
  }
  result.status = LlmStatus::Failed;
  result.error = fmt::format("{} (after {} attempt{})", last_error, result.attempts, result.attempts == 1 ? "" : "s");
  return result;
}

std::vector<LlmResult> LlmClient::complete_all(const std::vector<LlmRequest>& requests, const DoneCallback& on_done) {
  std::vector<LlmResult> results(requests.size());
  if (requests.empty()) return results;
  const auto start = std::chrono::steady_clock::now();
  Progress progress(config_.dry_run ? "llm dry run" : "llm " + config_.model, static_cast<int64_t>(requests.size()),
                    "requests");
  // Identical requests are sent once: `distinct` lists the first of each, `copies[i]` the later ones.
  std::vector<size_t> distinct;
  std::vector<std::vector<size_t>> copies(requests.size());
  std::vector<std::string> keys(requests.size());
  {
    std::unordered_map<std::string, size_t> first_with_key;
    for (size_t i = 0; i < requests.size(); ++i) {
      keys[i] = cache_key(requests[i]);
      auto [at, inserted] = first_with_key.emplace(keys[i], i);
      if (inserted) distinct.push_back(i);
      else copies[at->second].push_back(i);
    }
  }
  std::atomic<size_t> next{0};
  std::mutex callback_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      std::unique_ptr<httplib::Client> http = config_.dry_run ? nullptr : connect();
      for (size_t n = next++; n < distinct.size(); n = next++) {
        const size_t i = distinct[n];
        results[i] = complete_one(requests[i], keys[i], http.get());
        for (size_t copy : copies[i]) {
          LlmResult& answer = results[copy] = results[i];
          answer.from_cache = answer.ok();  // answered without sending anything
          answer.attempts = 0;
          answer.input_tokens = answer.output_tokens = 0;
          record(requests[copy], answer);
        }
        std::lock_guard lock(callback_mutex);
        if (on_done) {
          on_done(i, results[i]);
          for (size_t copy : copies[i]) on_done(copy, results[copy]);
        }
        progress.advance(static_cast<int64_t>(1 + copies[i].size()));
      }
    } catch (...) {  // a cache or callback error (disk full, ...): stop handing out work, rethrow below
      std::lock_guard lock(callback_mutex);
      if (!error) error = std::current_exception();
      next = distinct.size();
    }
  };
  const size_t workers = std::min(distinct.size(), static_cast<size_t>(config_.concurrency));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  progress.finish();
  {
    std::lock_guard lock(mutex_);
    totals_.seconds += seconds_since(start);
  }
  if (error) std::rethrow_exception(error);
  return results;
}

LlmTotals LlmClient::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

std::vector<LlmFailure> LlmClient::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace saerad::llm
