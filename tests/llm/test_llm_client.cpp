// The LLM client against a stub server on 127.0.0.1: wire formats of both providers, the json_schema →
// json_object fallback, concurrency, retries, timeouts, malformed replies, the cache (rerun and resume),
// the remote-URL refusal and the dry run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "core/error.hpp"
#include "llm/client.hpp"
#include "llm/llm_cache.hpp"
#include "support/llm_stub_server.hpp"
#include "support/test_support.hpp"

namespace saerad::llm {
namespace {

using testing::StubLlmServer;
using testing::StubReply;
using testing::StubRequest;

const Json kAnswerSchema = {{"type", "object"},
                            {"properties", {{"answer", {{"type", "string"}, {"enum", {"yes", "no"}}}}, {"n", {{"type", "integer"}}}}},
                            {"required", {"answer"}},
                            {"additionalProperties", false}};

LlmRequest answer_request(int n) {
  return {"item " + std::to_string(n), "Answer yes or no.", "question n=" + std::to_string(n), "answer", kAnswerSchema, std::nullopt};
}

// Replies {"answer": "yes", "n": <the n in the user text>} so results can be matched to requests.
int n_of(const StubRequest& r) {
  const std::string text = r.user_text();
  return std::stoi(text.substr(text.find("n=") + 2));
}

LlmConfig stub_config(const StubLlmServer& stub) {
  LlmConfig c;
  c.url = stub.openai_url();
  c.model = "stub-model";
  c.backoff_base_s = 0.01;
  c.backoff_max_s = 0.05;
  c.timeout_s = 5;
  return c;
}

TEST(LlmClient, OpenAIRequestCarriesModelMessagesSamplingAndJsonSchema) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::openai_json({{"answer", "yes"}}, 21, 4); });
  ::setenv("SAERAD_TEST_LLM_KEY", "sk-test", 1);
  LlmConfig config = stub_config(stub);
  config.api_key_env = "SAERAD_TEST_LLM_KEY";
  config.seed = 7;
  config.max_tokens = 99;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(1));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value["answer"], "yes");
  EXPECT_EQ(r.attempts, 1);
  ASSERT_EQ(stub.request_count(), 1);
  const StubRequest sent = stub.requests()[0];
  EXPECT_EQ(sent.path, "/v1/chat/completions");
  EXPECT_EQ(sent.headers.at("Authorization"), "Bearer sk-test");
  const Json& body = sent.body;
  EXPECT_EQ(body["model"], "stub-model");
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["seed"], 7);
  EXPECT_EQ(body["max_tokens"], 99);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], "Answer yes or no.");
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["name"], "answer");
  EXPECT_EQ(body["response_format"]["json_schema"]["strict"], true);
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"], kAnswerSchema);
  const LlmTotals totals = client.totals();
  EXPECT_EQ(totals.input_tokens, 21);
  EXPECT_EQ(totals.output_tokens, 4);
  EXPECT_EQ(totals.ok, 1);
  ::unsetenv("SAERAD_TEST_LLM_KEY");
}

TEST(LlmClient, AnthropicUsesAForcedToolCallAndReadsItsInput) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::anthropic_tool("answer", {{"answer", "no"}}, 30, 6); });
  ::setenv("SAERAD_TEST_ANTHROPIC_KEY", "ak-test", 1);
  LlmConfig config = stub_config(stub);
  config.provider = Provider::Anthropic;
  config.url = stub.base_url();
  config.api_key_env = "SAERAD_TEST_ANTHROPIC_KEY";
  config.usd_per_mtok_in = 3;
  config.usd_per_mtok_out = 15;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(2));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value["answer"], "no");
  const StubRequest sent = stub.requests().at(0);
  EXPECT_EQ(sent.path, "/v1/messages");
  EXPECT_EQ(sent.headers.at("x-api-key"), "ak-test");
  EXPECT_EQ(sent.headers.at("anthropic-version"), "2023-06-01");
  EXPECT_EQ(sent.body["system"], "Answer yes or no.");
  EXPECT_EQ(sent.body["messages"][0]["role"], "user");
  EXPECT_EQ(sent.body["tools"][0]["name"], "answer");
  EXPECT_EQ(sent.body["tools"][0]["input_schema"], kAnswerSchema);
  EXPECT_EQ(sent.body["tool_choice"], (Json{{"type", "tool"}, {"name", "answer"}}));
  EXPECT_FALSE(sent.body.contains("response_format"));
  const LlmTotals totals = client.totals();
  EXPECT_EQ(totals.input_tokens, 30);
  EXPECT_EQ(totals.output_tokens, 6);
  EXPECT_NEAR(totals.cost_usd, (30 * 3 + 6 * 15) / 1e6, 1e-12);
  ::unsetenv("SAERAD_TEST_ANTHROPIC_KEY");
}

TEST(LlmClient, AnthropicReplyWithoutTheToolCallIsAFailure) {
  StubLlmServer stub([](const StubRequest&) {
    Json body = {{"content", Json::array({{{"type", "text"}, {"text", "I would rather not."}}})}, {"stop_reason", "end_turn"}};
    return StubReply{200, body.dump(), 0, {}};
  });
  LlmConfig config = stub_config(stub);
  config.provider = Provider::Anthropic;
  config.url = stub.base_url();
  config.malformed_retries = 0;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(1));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("no tool call"), std::string::npos) << r.error;
}

// A server that knows only json_object (as llama-cpp-python): 400 for json_schema, then the client retries
// once with {type: json_object, schema} and remembers the endpoint.
TEST(LlmClient, FallsBackFromJsonSchemaToJsonObjectOnceAndRemembersTheEndpoint) {
  for (int rejection : {400, 422}) {
    StubLlmServer stub([rejection](const StubRequest& r) {
      if (r.body["response_format"]["type"] == "json_schema") return StubReply::error(rejection, "unsupported response_format");
      return StubReply::openai_json({{"answer", "yes"}, {"n", n_of(r)}});
    });
    LlmConfig config = stub_config(stub);
    LlmClient client(config);
    LlmResult first = client.complete(answer_request(1));
    ASSERT_TRUE(first.ok()) << first.error;
    EXPECT_EQ(first.attempts, 2);
    LlmResult second = client.complete(answer_request(2));
    ASSERT_TRUE(second.ok()) << second.error;
    EXPECT_EQ(second.attempts, 1);  // remembered: json_object straight away
    LlmClient another(config);      // remembered for the endpoint, not just the client
    EXPECT_EQ(another.complete(answer_request(3)).attempts, 1);
    const auto sent = stub.requests();
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[0].body["response_format"]["type"], "json_schema");
    for (size_t i = 1; i < 4; ++i) {
      EXPECT_EQ(sent[i].body["response_format"]["type"], "json_object");
      EXPECT_EQ(sent[i].body["response_format"]["schema"], kAnswerSchema);
    }
  }
}

// llama-cpp-python 0.3.x reports its validation error for json_schema as HTTP 500 naming response_format.
TEST(LlmClient, FallsBackOnLlamaCppPythonsValidationErrorButRetriesOtherServerErrors) {
  StubLlmServer stub([](const StubRequest& r) {
    if (r.body["response_format"]["type"] == "json_schema")
      return StubReply::error(500, "('body', 'response_format', 'type') Input should be 'text' or 'json_object'");
    return StubReply::openai_json({{"answer", "yes"}});
  });
  LlmClient client(stub_config(stub));
  LlmResult r = client.complete(answer_request(1));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(client.totals().retries, 1);
}

TEST(LlmClient, RunsAtMostConcurrencyRequestsAtOnceAndKeepsResultsInOrder) {
  StubLlmServer stub([](const StubRequest& r) {
    StubReply reply = StubReply::openai_json({{"answer", "yes"}, {"n", n_of(r)}});
    reply.delay_s = 0.25;
    return reply;
  });
  LlmConfig config = stub_config(stub);
  config.url = stub.openai_url() + "/";  // a trailing slash is fine
  config.concurrency = 4;
  LlmClient client(config);
  std::vector<LlmRequest> requests;
  for (int i = 0; i < 12; ++i) requests.push_back(answer_request(i));
  std::vector<int> callbacks(12, 0);
  auto results = client.complete_all(requests, [&](size_t i, const LlmResult& r) { callbacks[i] += r.ok(); });
  ASSERT_EQ(results.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error;
    EXPECT_EQ(results[i].value["n"], i);
    EXPECT_EQ(callbacks[i], 1);
  }
  EXPECT_EQ(stub.max_in_flight(), 4);
  EXPECT_EQ(stub.request_count(), 12);
}

TEST(LlmClient, SendsIdenticalRequestsOnceAndKeepsEachWorkersConnection) {
  StubLlmServer stub([](const StubRequest& r) {
    StubReply reply = StubReply::openai_json({{"answer", "yes"}, {"n", n_of(r)}});
    reply.delay_s = 0.02;
    return reply;
  });
  LlmConfig config = stub_config(stub);
  config.concurrency = 2;
  LlmClient client(config);
  std::vector<LlmRequest> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(answer_request(i % 5));  // each asked twice
  std::vector<int> callbacks(10, 0);
  auto results = client.complete_all(requests, [&](size_t i, const LlmResult& r) { callbacks[i] += r.ok(); });
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error;
    EXPECT_EQ(results[i].value["n"], i % 5);
    EXPECT_EQ(callbacks[i], 1) << i;
    EXPECT_EQ(results[i].from_cache, i >= 5) << i;  // the later copy is answered from the earlier's reply
  }
  EXPECT_EQ(stub.request_count(), 5);
  EXPECT_EQ(client.totals().requests, 10);
  EXPECT_EQ(client.totals().cache_hits, 5);
  EXPECT_EQ(client.totals().sent, 5);
  std::set<int> connections;
  for (const auto& r : stub.requests()) connections.insert(r.client_port);
  EXPECT_LE(connections.size(), 2u) << "each of the 2 workers should keep one connection";
}

TEST(LlmClient, RetriesAfter500And429ThenSucceeds) {
  StubLlmServer stub([](const StubRequest& r) {
    if (r.index == 0) return StubReply::error(500);
    if (r.index == 1) {
      StubReply reply = StubReply::error(429, "rate limited");
      reply.headers["Retry-After"] = "0";
      return reply;
    }
    return StubReply::openai_json({{"answer", "yes"}});
  });
  LlmClient client(stub_config(stub));
  LlmResult r = client.complete(answer_request(1));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(client.totals().retries, 2);
  EXPECT_TRUE(client.failures().empty());
}

TEST(LlmClient, GivesUpAfterMaxRetriesAndListsTheFailure) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::error(503, "overloaded"); });
  LlmConfig config = stub_config(stub);
  config.max_retries = 2;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(5));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 3);
  EXPECT_NE(r.error.find("HTTP 503"), std::string::npos) << r.error;
  ASSERT_EQ(client.failures().size(), 1u);
  EXPECT_EQ(client.failures()[0].tag, "item 5");
  EXPECT_EQ(client.totals().failed, 1);
}

TEST(LlmClient, DoesNotRetryAClientError) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::error(401, "bad key"); });
  LlmClient client(stub_config(stub));
  LlmResult r = client.complete(answer_request(1));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("bad key"), std::string::npos) << r.error;
}

TEST(LlmClient, RetriesAfterATimeout) {
  StubLlmServer stub([](const StubRequest& r) {
    StubReply reply = StubReply::openai_json({{"answer", "yes"}});
    if (r.index == 0) reply.delay_s = 1.5;  // longer than the client's timeout
    return reply;
  });
  LlmConfig config = stub_config(stub);
  config.timeout_s = 0.3;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(1));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
}

TEST(LlmClient, NetworkErrorsAreRetriedThenReported) {
  LlmConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(testing::closed_loopback_port()) + "/v1";
  config.model = "m";
  config.max_retries = 2;
  config.backoff_base_s = 0.01;
  LlmClient client(config);
  LlmResult r = client.complete(answer_request(1));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 3);
  EXPECT_NE(r.error.find("127.0.0.1"), std::string::npos) << r.error;
}

TEST(LlmClient, MalformedRepliesAreRetriedOnceThenFail) {
  for (const std::string& content : {std::string("certainly! the answer is yes"), std::string(R"({"answer": "maybe"})"),
                                     std::string(R"({"verdict": "yes"})")}) {
    StubLlmServer stub([&](const StubRequest&) { return StubReply::openai_text(content); });
    LlmClient client(stub_config(stub));
    LlmResult r = client.complete(answer_request(1));
    EXPECT_FALSE(r.ok()) << content;
    EXPECT_EQ(r.attempts, 2) << content;  // malformed_retries = 1
    EXPECT_NE(r.error.find("malformed"), std::string::npos) << r.error;
    EXPECT_EQ(r.raw, content);
  }
  StubLlmServer not_json([](const StubRequest&) { return StubReply{200, "<html>gateway</html>", 0, {}}; });
  LlmClient client(stub_config(not_json));
  EXPECT_FALSE(client.complete(answer_request(1)).ok());
}

TEST(LlmClient, AcceptsJsonInsideMarkdownFences) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::openai_text("Here you go:\n```json\n{\"answer\": \"no\"}\n```"); });
  LlmClient client(stub_config(stub));
  LlmResult r = client.complete(answer_request(1));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value["answer"], "no");
}

TEST(LlmClient, RerunIsAnsweredFromTheCache) {
  testing::TempDir dir;
  StubLlmServer stub([](const StubRequest& r) { return StubReply::openai_json({{"answer", "yes"}, {"n", n_of(r)}}); });
  LlmConfig config = stub_config(stub);
  config.cache_path = dir / "features.db";
  std::vector<LlmRequest> requests;
  for (int i = 0; i < 5; ++i) requests.push_back(answer_request(i));
  {
    LlmClient client(config);
    for (const auto& r : client.complete_all(requests)) EXPECT_FALSE(r.from_cache);
  }
  EXPECT_EQ(stub.request_count(), 5);
  {
    LlmClient client(config);
    auto results = client.complete_all(requests);
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(results[i].from_cache);
      EXPECT_EQ(results[i].value["n"], i);
    }
    EXPECT_EQ(client.totals().cache_hits, 5);
    EXPECT_EQ(client.totals().sent, 0);
  }
  EXPECT_EQ(stub.request_count(), 5);  // nothing new was sent
  EXPECT_EQ(LlmCache(config.cache_path).size(), 5);
  config.model = "another-model";  // a different model is a different question
  LlmClient other(config);
  EXPECT_FALSE(other.complete(requests[0]).from_cache);
  EXPECT_EQ(stub.request_count(), 6);
}

// An interrupted run (here: requests 3..5 failed) is resumed by a rerun that sends only what is missing.
TEST(LlmClient, ResumeSendsOnlyTheRequestsThatDidNotFinish) {
  testing::TempDir dir;
  std::atomic<bool> broken{true};
  StubLlmServer stub([&](const StubRequest& r) {
    if (broken && n_of(r) >= 3) return StubReply::error(500);
    return StubReply::openai_json({{"answer", "yes"}, {"n", n_of(r)}});
  });
  LlmConfig config = stub_config(stub);
  config.cache_path = dir / "cache.db";
  config.max_retries = 0;
  std::vector<LlmRequest> requests;
  for (int i = 0; i < 6; ++i) requests.push_back(answer_request(i));
  {
    LlmClient client(config);
    auto results = client.complete_all(requests);
    EXPECT_EQ(client.totals().ok, 3);
    EXPECT_EQ(client.failures().size(), 3u);
  }
  broken = false;
  const int before = stub.request_count();
  LlmClient client(config);
  auto results = client.complete_all(requests);
  for (const auto& r : results) EXPECT_TRUE(r.ok());
  EXPECT_EQ(client.totals().cache_hits, 3);
  const auto sent = stub.requests();
  ASSERT_EQ(static_cast<int>(sent.size()) - before, 3);
  for (size_t i = before; i < sent.size(); ++i) EXPECT_GE(n_of(sent[i]), 3);
}

TEST(LlmClient, RefusesRemoteUrlsAndHostedProvidersWithoutAllowRemote) {
  LlmConfig config;
  config.model = "m";
  for (const std::string url : {"http://10.1.2.3:8080/v1", "https://api.openai.com/v1", "http://192.168.0.2/v1",
                                "http://127.0.0.1.example.com/v1"}) {
    config.url = url;
    try {
      LlmClient client(config);
      ADD_FAILURE() << url << " was not refused";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--allow-remote-llm"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("MIMIC-CXR"), std::string::npos) << e.what();
    }
  }
  LlmConfig anthropic = config;
  anthropic.provider = Provider::Anthropic;
  anthropic.url.clear();  // the hosted API
  EXPECT_THROW(LlmClient{anthropic}, InputError);
  anthropic.allow_remote = true;
  anthropic.api_key_env = "SAERAD_TEST_UNSET_KEY_VARIABLE";
  EXPECT_THROW(LlmClient{anthropic}, InputError);  // allowed, but no key
  config.url = "http://10.1.2.3:8080/v1";
  config.allow_remote = true;
  EXPECT_NO_THROW(LlmClient{config});  // constructing sends nothing
  for (const std::string url : {"http://localhost:8080/v1", "http://127.0.0.5:1/v1", "http://[::1]:8080/v1"}) {
    LlmConfig local;
    local.model = "m";
    local.url = url;
    EXPECT_NO_THROW(LlmClient{local}) << url;
  }
}

TEST(LlmClient, DryRunSendsNothingAndEstimatesTokens) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::openai_json({{"answer", "yes"}}); });
  LlmConfig config = stub_config(stub);
  config.dry_run = true;
  LlmClient client(config);
  std::vector<LlmRequest> requests = {answer_request(1), answer_request(2)};
  auto results = client.complete_all(requests);
  for (const auto& r : results) {
    EXPECT_EQ(r.status, LlmStatus::DryRun);
    EXPECT_NE(r.raw.find("question n="), std::string::npos);  // the rendered prompt
    EXPECT_GT(r.input_tokens, 0);
  }
  EXPECT_EQ(stub.request_count(), 0);
  EXPECT_EQ(client.totals().estimated_tokens, results[0].input_tokens + results[1].input_tokens);
}

TEST(LlmClient, RejectsMalformedUrlsAndMissingModel) {
  LlmConfig config;
  config.model = "m";
  for (const std::string url : {"127.0.0.1:8080", "ftp://127.0.0.1/v1", "http://:80/v1", "http://127.0.0.1:99999/v1"}) {
    config.url = url;
    EXPECT_THROW(LlmClient{config}, InputError) << url;
  }
  config.url = "http://127.0.0.1:8080/v1";
  config.model.clear();
  EXPECT_THROW(LlmClient{config}, InputError);
}

TEST(LlmClient, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.0.9"));
  EXPECT_TRUE(is_loopback_host("LOCALHOST"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.evil.com"));
  EXPECT_FALSE(is_loopback_host("127.0.0.256"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
}

}  // namespace
}  // namespace saerad::llm
