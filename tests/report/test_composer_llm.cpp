// The LLM composer against a stub server: the prompt lists descriptions by importance with the optional
// indication and prior, citations become provenance (feature ids), a reply citing nothing given fails
// validation, and a study without features is never sent.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "report/composer_llm.hpp"
#include "support/llm_stub_server.hpp"
#include "support/test_support.hpp"
#include "support/tiny_cohort.hpp"

namespace saerad {
namespace {

using testing::StubLlmServer;
using testing::StubReply;
using testing::StubRequest;

llm::LlmConfig stub_config(const StubLlmServer& stub) { return testing::stub_llm_config(stub, "stub-composer"); }

ComposerInput study() {
  ComposerInput input;
  input.study_id = "s1";
  input.features = {{42, 3.0f, 0.6, true, "Moderate left pleural effusion.", {"t1", "t2"}},
                    {7, 1.0f, 0.3, true, "Cardiomegaly.", {"t3"}},
                    {99, 0.5f, 0.1, true, "Sternotomy wires.", {"t4"}}};
  input.indication = "Shortness of breath.";
  input.prior_report = "Small left effusion.";
  return input;
}

TEST(LlmComposer, CitationsBecomeProvenanceAndThePromptFollowsImportance) {
  StubLlmServer stub([](const StubRequest&) {
    return StubReply::openai_json({{"sentences",
                                    {{{"sentence", "Moderate left pleural effusion, increased."}, {"supported_by", {1}}},
                                     {{"sentence", "The heart is enlarged; sternotomy wires."}, {"supported_by", {2, 3, 2}}}}}});
  });
  llm::LlmClient client(stub_config(stub));
  LlmComposer composer(client);
  ComposerInput input = study();
  ComposedReport report = composer.compose(input);
  ASSERT_EQ(report.sentences.size(), 2u);
  EXPECT_EQ(report.sentences[0].feature_ids, (std::vector<int64_t>{42}));
  EXPECT_EQ(report.sentences[1].feature_ids, (std::vector<int64_t>{7, 99}));
  EXPECT_EQ(report.composer, "llm");
  EXPECT_EQ(report.composer_model, "stub-composer (compose-v1)");
  EXPECT_EQ(report.text(), "Moderate left pleural effusion, increased. The heart is enlarged; sternotomy wires.");
  const Json provenance = report.provenance(input.features);
  EXPECT_EQ(provenance[0]["features"][0]["description"], "Moderate left pleural effusion.");

  const std::string user = stub.requests().at(0).user_text();
  const size_t first = user.find("1. [60%] Moderate left pleural effusion.");
  const size_t second = user.find("2. [30%] Cardiomegaly.");
  const size_t third = user.find("3. [10%] Sternotomy wires.");
  ASSERT_NE(first, std::string::npos) << user;
  ASSERT_NE(second, std::string::npos) << user;
  ASSERT_NE(third, std::string::npos) << user;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(user.find("Indication: Shortness of breath."), std::string::npos);
  EXPECT_NE(user.find("Prior report: Small left effusion."), std::string::npos);
  const std::string system = stub.requests().at(0).body["messages"][0]["content"];
  EXPECT_NE(system.find("Do not add any finding"), std::string::npos);
}

TEST(LlmComposer, ContextCanBeLeftOut) {
  StubLlmServer stub([](const StubRequest&) {
    return StubReply::openai_json({{"sentences", {{{"sentence", "Effusion."}, {"supported_by", {1}}}}}});
  });
  llm::LlmClient client(stub_config(stub));
  LlmComposer composer(client, {.use_indication = false, .use_prior_report = false});
  composer.compose(study());
  const std::string user = stub.requests().at(0).user_text();
  EXPECT_EQ(user.find("Indication:"), std::string::npos);
  EXPECT_EQ(user.find("Prior report:"), std::string::npos);
}

TEST(LlmComposer, ASentenceCitingNoGivenFindingFailsValidation) {
  StubLlmServer stub([](const StubRequest&) {
    return StubReply::openai_json({{"sentences", {{{"sentence", "Pneumothorax."}, {"supported_by", {4}}}}}});
  });
  llm::LlmClient client(stub_config(stub));
  LlmComposer composer(client);
  std::vector<ComposerInput> inputs = {study()};
  ComposeOutcome outcome;
  composer.compose_all(inputs, [&](size_t, ComposeOutcome o) { outcome = std::move(o); });
  EXPECT_FALSE(outcome.report);
  EXPECT_NE(outcome.error.find("malformed"), std::string::npos) << outcome.error;
}

TEST(LlmComposer, SentencesFromAReplyDropUnsupportedOnes) {
  ComposerInput input = study();
  auto sentences = sentences_from_reply(
      {{"sentences", {{{"sentence", "Supported."}, {"supported_by", {3}}}, {{"sentence", "Invented."}, {"supported_by", Json::array()}},
                      {{"sentence", " "}, {"supported_by", {1}}}, {{"sentence", "supported."}, {"supported_by", {1}}}}}},
      input);
  ASSERT_EQ(sentences.size(), 1u);
  EXPECT_EQ(sentences[0].feature_ids, (std::vector<int64_t>{99}));
  // Echoed list markers of the prompt are removed; numbers inside a sentence are not.
  sentences = sentences_from_reply({{"sentences", {{{"sentence", "2. [30%] Effusion of 2. 5 cm."}, {"supported_by", {2}}}}}}, input);
  ASSERT_EQ(sentences.size(), 1u);
  EXPECT_EQ(sentences[0].sentence, "Effusion of 2. 5 cm.");
}

TEST(LlmComposer, AStudyWithoutFeaturesGetsAnEmptyReportWithoutARequest) {
  StubLlmServer stub([](const StubRequest&) { return StubReply::error(500); });
  llm::LlmClient client(stub_config(stub));
  LlmComposer composer(client);
  ComposerInput empty;
  empty.study_id = "s0";
  ComposedReport report = composer.compose(empty);
  EXPECT_TRUE(report.sentences.empty());
  EXPECT_EQ(stub.request_count(), 0);
}

// `saerad report --composer llm --prior-report` end to end over the stub: the subject's previous study's
// report reaches the prompt, a first study gets none, and every reported sentence has provenance.
TEST(LlmComposerCli, ReportCommandSendsThePriorReportAndWritesProvenance) {
  testing::TempDir dir;
  const testing::TinyCohort cohort = testing::write_tiny_cohort(dir.path());
  auto interpret = testing::run_saerad({"--quiet", "interpret", "--sae", (dir / "sae1").string(), "--embeddings",
                                        (dir / "emb.safetensors").string(), "--studies",
                                        (dir / "studies.csv").string(), "--out", (dir / "features.db").string()});
  ASSERT_EQ(interpret.exit_code, 0) << interpret.err;
  testing::write_cohort_rows(cohort, 200, 4, dir / "test_emb.safetensors");  // s200..s203: two subjects' pairs
  StubLlmServer stub([](const StubRequest&) {
    return StubReply::openai_json({{"sentences", {{{"sentence", "A finding."}, {"supported_by", {1}}}}}});
  });
  auto report = testing::run_saerad({"--json", "report", "--sae", (dir / "sae1").string(), "--features",
                                     (dir / "features.db").string(), "--embeddings",
                                     (dir / "test_emb.safetensors").string(), "--studies", (dir / "studies.csv").string(),
                                     "--prior-report", "--composer", "llm", "--llm-url", stub.openai_url(),
                                     "--llm-model", "stub-composer", "--out", (dir / "preds.jsonl").string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const Json summary = Json::parse(report.out);
  EXPECT_EQ(summary["studies"], 4);
  EXPECT_EQ(summary["with_prior_report"], 2);  // s201 and s203 follow s200 and s202
  int with_prior = 0;
  for (const auto& request : stub.requests()) {
    const std::string user = request.user_text();
    const size_t at = user.find("Prior report: ");
    if (at == std::string::npos) continue;
    ++with_prior;
    const bool from_s200 = user.compare(at + 14, cohort.rows[200].findings.size(), cohort.rows[200].findings) == 0;
    const bool from_s202 = user.compare(at + 14, cohort.rows[202].findings.size(), cohort.rows[202].findings) == 0;
    EXPECT_TRUE(from_s200 || from_s202) << user;
  }
  EXPECT_EQ(with_prior, 2);
  std::ifstream preds(dir / "preds.jsonl");
  int lines = 0;
  for (std::string line; std::getline(preds, line); ++lines) {
    const Json p = Json::parse(line);
    if (p["report"].get<std::string>().empty()) continue;
    ASSERT_FALSE(p["provenance"].empty()) << line;
    EXPECT_FALSE(p["provenance"][0]["features"].empty()) << line;
  }
  EXPECT_EQ(lines, 4);

  auto without_studies = testing::run_saerad({"report", "--sae", (dir / "sae1").string(), "--features",
                                              (dir / "features.db").string(), "--embeddings",
                                              (dir / "test_emb.safetensors").string(), "--prior-report", "--out",
                                              (dir / "x.jsonl").string()});
  EXPECT_EQ(without_studies.exit_code, 2);
  EXPECT_NE(without_studies.err.find("--prior-report needs --studies"), std::string::npos) << without_studies.err;
}

}  // namespace
}  // namespace saerad
