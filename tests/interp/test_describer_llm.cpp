// The LLM describer and the LLM yes/no judge against a stub server: the prompt carries the numbered
// reports, replies map back to 0-based evidence ranks, failures reach the outcome, features without
// report text are never sent, and the judge's answers line up with its reports.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "interp/describer_llm.hpp"
#include "support/llm_stub_server.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::StubLlmServer;
using testing::StubReply;
using testing::StubRequest;

llm::LlmConfig stub_config(const StubLlmServer& stub) { return testing::stub_llm_config(stub, "stub-describer"); }

DescriberInput feature(int64_t id, std::vector<std::string> reports) {
  DescriberInput input;
  input.feature_id = id;
  for (size_t i = 0; i < reports.size(); ++i)
    input.examples.push_back({"s" + std::to_string(id) + "_" + std::to_string(i), 1.0f - 0.1f * i, reports[i]});
  return input;
}

TEST(LlmDescriber, SendsNumberedReportsAndMapsEvidenceToRanks) {
  StubLlmServer stub([](const StubRequest& r) {
    if (r.user_text().find("effusion") != std::string::npos)
      return StubReply::openai_json({{"interpretable", true}, {"description", "  Right pleural\n effusion. "}, {"evidence", {3, 1, 1}}});
    return StubReply::openai_json({{"interpretable", false}, {"description", ""}, {"evidence", Json::array()}});
  });
  llm::LlmClient client(stub_config(stub));
  LlmDescriber describer(client);
  std::vector<DescriberInput> inputs = {
      feature(7, {"Small right pleural effusion.", "Clear lungs.", "Right effusion is unchanged."}),
      feature(9, {"Normal heart size.", "Old rib fracture."})};
  std::map<size_t, DescribeOutcome> outcomes;
  describer.describe_all(inputs, [&](size_t i, DescribeOutcome o) { outcomes[i] = std::move(o); });
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0].description) << outcomes[0].error;
  const Description& d = *outcomes[0].description;
  EXPECT_TRUE(d.interpretable);
  EXPECT_EQ(d.description, "Right pleural effusion.");
  EXPECT_EQ(d.evidence, (std::vector<int>{0, 2}));  // report numbers 1 and 3, deduplicated
  EXPECT_EQ(d.describer, "llm");
  EXPECT_EQ(d.describer_model, "stub-describer");
  EXPECT_EQ(d.prompt_version, "describe-v1");
  ASSERT_TRUE(outcomes[1].description);
  EXPECT_FALSE(outcomes[1].description->interpretable);
  EXPECT_TRUE(outcomes[1].description->description.empty());

  const auto sent = stub.requests();
  ASSERT_EQ(sent.size(), 2u);
  std::string user;
  for (const auto& r : sent)
    if (r.user_text().find("effusion") != std::string::npos) user = r.user_text();
  EXPECT_NE(user.find("Report 1: Small right pleural effusion."), std::string::npos) << user;
  EXPECT_NE(user.find("Report 3: Right effusion is unchanged."), std::string::npos) << user;
  // The evidence numbers the schema admits are exactly the reports shown.
  const Json& schema = sent[0].body["response_format"]["json_schema"]["schema"];
  EXPECT_EQ(schema["required"], (Json{"description", "evidence", "interpretable"}));  // every field, in key order
  EXPECT_EQ(schema["properties"]["interpretable"]["type"], "boolean");
}

TEST(LlmDescriber, InterpretableWithABlankDescriptionIsNotInterpretable) {
  Description d = description_from_reply({{"interpretable", true}, {"description", "   "}, {"evidence", {1}}}, 3);
  EXPECT_FALSE(d.interpretable);
  d = description_from_reply({{"interpretable", true}, {"description", "Cardiomegaly."}, {"evidence", {9, 0, 2}}}, 3);
  EXPECT_TRUE(d.interpretable);
  EXPECT_EQ(d.evidence, (std::vector<int>{1}));  // out-of-range numbers dropped
}

TEST(LlmDescriber, FailuresReachTheOutcomeAndEmptyFeaturesAreNotSent) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::openai_text("I cannot help with that."); });
  llm::LlmClient client(stub_config(stub));
  LlmDescriber describer(client);
  std::vector<DescriberInput> inputs = {feature(1, {"Cardiomegaly."}), feature(2, {"", "  "})};
  std::map<size_t, DescribeOutcome> outcomes;
  describer.describe_all(inputs, [&](size_t i, DescribeOutcome o) { outcomes[i] = std::move(o); });
  EXPECT_FALSE(outcomes[0].description);
  EXPECT_NE(outcomes[0].error.find("malformed"), std::string::npos) << outcomes[0].error;
  ASSERT_TRUE(outcomes[1].description);  // no text at all: decided without asking
  EXPECT_FALSE(outcomes[1].description->interpretable);
  EXPECT_EQ(stub.request_count(), 2);  // feature 1 and its one malformed-reply retry; feature 2 never sent
  EXPECT_THROW(describer.describe(inputs[0]), Error);
}

TEST(LlmDescriber, DryRunSendsNothing) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::openai_json({{"interpretable", false}}); });
  llm::LlmConfig config = stub_config(stub);
  config.dry_run = true;
  llm::LlmClient client(config);
  LlmDescriber describer(client);
  std::vector<DescriberInput> inputs = {feature(1, {"Cardiomegaly."}), feature(2, {"Effusion."})};
  int failed = 0;
  describer.describe_all(inputs, [&](size_t, DescribeOutcome o) { failed += !o.description; });
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(stub.request_count(), 0);
  EXPECT_GT(client.totals().estimated_tokens, 0);
}

TEST(LlmStatementJudge, AnswersPerReportAndSkipsEmptyOnes) {
  StubLlmServer stub([](const StubRequest& r) {
    const std::string text = r.user_text();
    const bool states = text.find("Report: Large effusion") != std::string::npos;
    return StubReply::openai_json({{"answer", states ? "yes" : "no"}});
  });
  llm::LlmClient client(stub_config(stub));
  LlmStatementJudge judge(client);
  EXPECT_EQ(judge.name(), "llm:stub-describer");
  Description d;
  d.interpretable = true;
  d.description = "Pleural effusion.";
  auto answers = judge.states(d, {"Large effusion on the left.", "", "No effusion."});
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0], true);
  EXPECT_EQ(answers[1], std::nullopt);
  EXPECT_EQ(answers[2], false);
  EXPECT_EQ(stub.request_count(), 2);
  const std::string prompt = stub.requests()[0].user_text();
  EXPECT_NE(prompt.find("Finding: Pleural effusion."), std::string::npos) << prompt;
  Description none;
  EXPECT_TRUE(judge.states(none, {"anything"}).empty());
}

}  // namespace
}  // namespace saerad

namespace saerad {
namespace {

// The CLI refuses before reading anything: a non-loopback URL or the hosted Anthropic API without
// --allow-remote-llm exits 2 with the reason.
TEST(InterpretLlmCli, RefusesRemoteLlmWithoutAllowRemote) {
  testing::TempDir dir;
  const std::vector<std::string> base = {"interpret", "--sae", (dir / "sae").string(), "--embeddings",
                                         (dir / "e.safetensors").string(), "--studies", (dir / "s.csv").string(),
                                         "--out", (dir / "f.db").string(), "--describer", "llm", "--llm-model", "m"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_saerad(args);
  };
  auto remote = with({"--llm-url", "http://10.1.2.3:8080/v1"});
  EXPECT_EQ(remote.exit_code, 2) << remote.err;
  EXPECT_NE(remote.err.find("--allow-remote-llm"), std::string::npos) << remote.err;
  EXPECT_NE(remote.err.find("MIMIC-CXR"), std::string::npos) << remote.err;
  auto hosted = with({"--llm-provider", "anthropic"});
  EXPECT_EQ(hosted.exit_code, 2) << hosted.err;
  EXPECT_NE(hosted.err.find("--allow-remote-llm"), std::string::npos) << hosted.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "f.db"));  // nothing was written either
}

}  // namespace
}  // namespace saerad
