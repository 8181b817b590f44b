// LLM client throughput against the in-process stub server (tests/support/llm_stub_server.hpp) on 127.0.0.1:
// requests/s at several concurrencies with an instant reply and with 50 ms of simulated model latency,
// and from the response cache. Prints ratios to concurrency 1. Run by hand: build-*/bench/llm [requests]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "../tests/support/llm_stub_server.hpp"
#include "core/progress.hpp"
#include "llm/client.hpp"

using namespace saerad;

namespace {
const Json kSchema = {{"type", "object"},
                      {"properties", {{"interpretable", {{"type", "boolean"}}}, {"description", {{"type", "string"}}}}},
                      {"required", {"interpretable", "description"}}};

std::vector<llm::LlmRequest> make_requests(int n) {
  std::vector<llm::LlmRequest> requests;
  for (int i = 0; i < n; ++i)
    requests.push_back({"r" + std::to_string(i), "Describe the shared finding.",
                        "Report 1: Moderate right pleural effusion. (" + std::to_string(i) + ")", "feature_description",
                        kSchema, std::nullopt});
  return requests;
}

double run(const std::string& url, int concurrency, const std::vector<llm::LlmRequest>& requests,
           const std::filesystem::path& cache = {}) {
  llm::LlmConfig config;
  config.url = url;
  config.model = "stub";
  config.concurrency = concurrency;
  config.cache_path = cache;
  llm::LlmClient client(config);
  const auto start = std::chrono::steady_clock::now();
  auto results = client.complete_all(requests);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& r : results)
    if (!r.ok()) std::fprintf(stderr, "failed: %s\n", r.error.c_str());
  return static_cast<double>(requests.size()) / seconds;
}
}  // namespace

int main(int argc, char** argv) {
  set_quiet(true);
  const int n = argc > 1 ? std::atoi(argv[1]) : 400;
  const auto requests = make_requests(n);
  for (double latency : {0.0, 0.05}) {
    testing::StubLlmServer stub([latency](const testing::StubRequest&) {
      auto reply = testing::StubReply::openai_json({{"interpretable", true}, {"description", "Pleural effusion."}});
      reply.delay_s = latency;
      return reply;
    });
    const int count = latency > 0 ? std::min(n, 160) : n;
    const std::vector<llm::LlmRequest> some(requests.begin(), requests.begin() + count);
    double base = 0;
    for (int concurrency : {1, 4, 16}) {
      const double rate = run(stub.openai_url(), concurrency, some);
      if (concurrency == 1) base = rate;
      std::printf("stub latency %3.0f ms  concurrency %2d: %8.1f requests/s  (%.2fx concurrency 1)\n", latency * 1000,
                  concurrency, rate, rate / base);
    }
  }
  testing::StubLlmServer stub([](const testing::StubRequest&) {
    return testing::StubReply::openai_json({{"interpretable", true}, {"description", "Pleural effusion."}});
  });
  const auto cache = std::filesystem::temp_directory_path() / "saerad-bench-llm-cache.db";
  std::filesystem::remove(cache);
  const double cold = run(stub.openai_url(), 4, requests, cache);
  const double warm = run(stub.openai_url(), 4, requests, cache);
  std::printf("cache: cold %.1f requests/s (sent + stored), warm %.1f requests/s (all hits, %.2fx)\n", cold, warm, warm / cold);
  std::filesystem::remove(cache);
  std::filesystem::remove(cache.string() + "-wal");
  std::filesystem::remove(cache.string() + "-shm");
  return 0;
}
