// RadFact-style scoring against a stub judge whose rule is known (a phrase is entailed when the premise
// contains the phrase's key word), so the expected logical precision and recall are worked out by hand.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "eval/radfact.hpp"
#include "support/llm_stub_server.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::StubLlmServer;
using testing::StubReply;
using testing::StubRequest;

void write_text(const std::filesystem::path& path, const std::string& text) { write_file_atomic(path, text); }

// "Reference report: <premise>\n\nPhrase: <phrase>\n\n..." → entailed iff the premise contains the
// phrase's first word (lower-cased).
StubReply judge(const StubRequest& r) {
  const std::string text = r.user_text();
  const size_t premise_at = text.find("Reference report: ") + 18;
  const size_t phrase_at = text.find("\n\nPhrase: ");
  std::string premise = text.substr(premise_at, phrase_at - premise_at);
  std::string phrase = text.substr(phrase_at + 10);
  phrase = phrase.substr(0, phrase.find_first_of(" .\n"));
  for (auto* s : {&premise, &phrase})
    for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return StubReply::openai_json({{"entailed", premise.find(phrase) != std::string::npos}});
}

TEST(RadFact, PhrasesAreSentencesWithWords) {
  EXPECT_EQ(radfact_phrases("Heart is normal. No effusion.\n\n1. ", 10),
            (std::vector<std::string>{"Heart is normal.", "No effusion."}));
  EXPECT_EQ(radfact_phrases("Heart normal. Lungs clear. No effusion.", 2),
            (std::vector<std::string>{"Heart normal.", "Lungs clear."}));
}

TEST(RadFact, LogicalPrecisionAndRecallFollowEntailmentBothWays) {
  testing::TempDir dir;
  StubLlmServer stub(judge);
  llm::LlmConfig config;
  config.url = stub.openai_url();
  config.model = "stub-judge";
  config.cache_path = dir / "radfact.db";
  // Study 0: generated phrases "Effusion ...", "Cardiomegaly ..."; the reference mentions effusion only
  //   → precision 1/2; reference phrases "Effusion ...", "Pneumothorax ...", "Lungs ..." → recall 1/3.
  // Study 1: identical reports → 1 and 1.
  std::vector<std::string> generated = {"Effusion on the left. Cardiomegaly is present.", "Lungs are clear."};
  std::vector<std::string> references = {"Effusion on the left. Pneumothorax. Lungs clear otherwise.", "Lungs are clear."};
  llm::LlmClient client(config);
  RadFactResult result = radfact_score(client, generated, references);
  ASSERT_EQ(result.per_study.size(), 2u);
  EXPECT_EQ(result.per_study[0].generated_phrases, 2);
  EXPECT_EQ(result.per_study[0].generated_entailed, 1);
  EXPECT_EQ(result.per_study[0].reference_phrases, 3);
  // "Lungs clear otherwise." is entailed by the generated report? Its first word "lungs" is not in study 0's
  // generated text ("Effusion on the left. Cardiomegaly is present."), so no: 1 of 3.
  EXPECT_EQ(result.per_study[0].reference_entailed, 1);
  EXPECT_DOUBLE_EQ(result.logical_precision, (0.5 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(result.logical_recall, (1.0 / 3 + 1.0) / 2);
  EXPECT_EQ(result.failed_requests, 0);
  // 2 + 3 + 1 + 1 asks; study 1's two are the same text both ways, and identical requests are sent once.
  EXPECT_EQ(stub.request_count(), 2 + 3 + 1);
  EXPECT_EQ(client.totals().requests, 7);
  EXPECT_EQ(client.totals().cache_hits, 1);
  const Json j = result.to_json();
  EXPECT_DOUBLE_EQ(j["logical_precision"].get<double>(), 0.75);
  EXPECT_EQ(j["n"], 2);

  llm::LlmClient again(config);  // cached: the rerun sends nothing
  RadFactResult rerun = radfact_score(again, generated, references);
  EXPECT_EQ(stub.request_count(), 6);
  EXPECT_DOUBLE_EQ(rerun.logical_recall, result.logical_recall);
}

TEST(RadFact, FailedRequestsAreLeftOutAndCounted) {
  StubLlmServer stub([](const StubRequest& r) {
    if (r.user_text().find("Phrase: Cardiomegaly") != std::string::npos) return StubReply::error(500);
    return judge(r);
  });
  llm::LlmConfig config;
  config.url = stub.openai_url();
  config.model = "stub-judge";
  config.max_retries = 0;
  llm::LlmClient client(config);
  RadFactResult result = radfact_score(client, {"Effusion. Cardiomegaly."}, {"Effusion."});
  EXPECT_EQ(result.failed_requests, 1);
  EXPECT_DOUBLE_EQ(result.logical_precision, 1.0);  // the one judged generated phrase was entailed
  EXPECT_DOUBLE_EQ(result.logical_recall, 1.0);
  EXPECT_THROW(radfact_score(client, {"a"}, {}), InputError);
}

}  // namespace
}  // namespace saerad

namespace saerad {
namespace {

TEST(RadFactCli, EvalRadfactReportsLogicalPrecisionAndRecallAndRefusesRemote) {
  testing::TempDir dir;
  write_text(dir / "pred.txt", "Effusion on the left. Cardiomegaly is present.\nLungs are clear.\n");
  write_text(dir / "ref.txt", "Effusion on the left. Pneumothorax. Lungs clear otherwise.\nLungs are clear.\n");
  StubLlmServer stub(judge);
  auto result = testing::run_saerad({"--json", "eval", "--pred", (dir / "pred.txt").string(), "--ref",
                                     (dir / "ref.txt").string(), "--metrics", "bleu", "--radfact", "--llm-url",
                                     stub.openai_url(), "--llm-model", "stub-judge", "--radfact-cache",
                                     (dir / "cache.db").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json scores = Json::parse(result.out);
  EXPECT_DOUBLE_EQ(scores["radfact"]["logical_precision"].get<double>(), 0.75);  // as worked out above
  EXPECT_DOUBLE_EQ(scores["radfact"]["logical_recall"].get<double>(), (1.0 / 3 + 1.0) / 2);
  EXPECT_EQ(scores["radfact"]["model"], "stub-judge");
  // 7 asks, but "Lungs are clear." vs "Lungs are clear." is asked in both directions with the same text:
  // the client sends identical requests once, so 6 reach the server. A rerun must send none.
  const int first_run_requests = stub.request_count();
  EXPECT_EQ(first_run_requests, 6);
  auto again = testing::run_saerad({"--json", "eval", "--pred", (dir / "pred.txt").string(), "--ref",
                                    (dir / "ref.txt").string(), "--metrics", "bleu", "--radfact", "--llm-url",
                                    stub.openai_url(), "--llm-model", "stub-judge", "--radfact-cache",
                                    (dir / "cache.db").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(stub.request_count(), first_run_requests);  // everything answered from the cache

  auto remote = testing::run_saerad({"eval", "--pred", (dir / "pred.txt").string(), "--ref", (dir / "ref.txt").string(),
                                     "--radfact", "--llm-url", "http://10.1.2.3/v1", "--llm-model", "m"});
  EXPECT_EQ(remote.exit_code, 2) << remote.err;
  EXPECT_NE(remote.err.find("--allow-remote-llm"), std::string::npos) << remote.err;
}

}  // namespace
}  // namespace saerad
