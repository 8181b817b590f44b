#pragma once
// The LLM flags shared by every command that can talk to an LLM (interpret, report; eval --radfact may reuse
// them): one place, so they are spelled and defaulted alike everywhere.
#include <CLI/CLI.hpp>

#include <string>

#include "llm/client.hpp"

namespace saerad::cli {

struct LlmFlags {
  std::string url, model, provider = "openai", api_key_env;
  bool allow_remote = false, dry_run = false;
  int concurrency = 4, max_retries = 4, max_tokens = 512;
  double timeout_s = 120;
  int64_t seed = 0;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--llm-url", url, "LLM base URL, e.g. http://127.0.0.1:8080/v1 (OpenAI-compatible)");
    cmd.add_option("--llm-model", model, "Model name sent to the LLM");
    cmd.add_option("--llm-provider", provider, "openai (llama.cpp, vLLM, Ollama, OpenAI) | anthropic")
        ->capture_default_str();
    cmd.add_option("--llm-api-key-env", api_key_env, "Environment variable holding the API key");
    cmd.add_flag("--allow-remote-llm", allow_remote,
                 "Allow a non-loopback URL or a hosted provider (reports leave this machine; see README)");
    cmd.add_option("--concurrency", concurrency, "LLM requests in flight")->capture_default_str()->check(CLI::Range(1, 256));
    cmd.add_option("--llm-timeout", timeout_s, "Seconds per LLM request attempt")->capture_default_str();
    cmd.add_option("--llm-retries", max_retries, "Retries after 429/5xx/network errors")->capture_default_str();
    cmd.add_option("--llm-max-tokens", max_tokens, "Reply token limit")->capture_default_str();
    cmd.add_option("--llm-seed", seed, "Sampling seed sent to servers that take one")->capture_default_str();
    cmd.add_flag("--dry-run", dry_run, "Render prompts and estimate tokens; send nothing");
  }

  llm::LlmConfig config(const std::filesystem::path& cache_path) const {
    llm::LlmConfig c;
    c.provider = llm::parse_provider(provider);
    c.url = url;
    c.model = model;
    c.api_key_env = api_key_env;
    c.allow_remote = allow_remote;
    c.concurrency = concurrency;
    c.timeout_s = timeout_s;
    c.max_retries = max_retries;
    c.max_tokens = max_tokens;
    c.seed = seed;
    c.cache_path = cache_path;
    c.dry_run = dry_run;
    return c;
  }
};

}  // namespace saerad::cli
