// evaluate() (the library API the demo calls) and `saerad eval` end to end on small inputs.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "eval/evaluate.hpp"
#include "eval/nlg.hpp"
#include "support/test_support.hpp"

namespace saerad::eval {
namespace {

using testing::run_saerad;
using testing::TempDir;

const std::vector<Reference> kRefs = {
    {"s1", "Mild cardiomegaly. Small left pleural effusion.", {}},
    {"s2", "No acute cardiopulmonary process.", {}},
    {"s3", "Right lower lobe pneumonia.", {}},
    {"s4", "Heart size is normal. Lungs are clear.", {}},
};
const std::vector<Prediction> kPreds = {
    {"s4", "Heart size normal. The lungs are clear.", {}},
    {"s1", "Cardiomegaly with a small left effusion.", {}},
    {"s2", "No acute cardiopulmonary process.", {}},
    {"extra", "Unmatched prediction.", {}},
};

ChexpertLabels labels_with(std::initializer_list<std::pair<std::string_view, int>> values) {
  ChexpertLabels l{};
  for (const auto& [name, v] : values) l[*observation_index(name)] = v;
  return l;
}

EvalOptions nlg_only() {
  EvalOptions o;
  o.metrics = {"bleu", "rouge_l", "cider_d", "meteor_approx"};
  return o;
}

TEST(Evaluate, MatchesIdsAndScoresTheIntersection) {
  const Json s = evaluate(kPreds, kRefs, nlg_only());
  EXPECT_EQ(s["n"], 3);
  EXPECT_EQ(s["ids"]["missing_predictions"], 1);
  EXPECT_EQ(s["ids"]["missing_prediction_ids"][0], "s3");
  EXPECT_EQ(s["ids"]["extra_prediction_ids"][0], "extra");
  // The same three pairs scored directly, in the references' order, with the default tokenizer.
  std::vector<std::string> hyps, refs;
  for (int i : {1, 2, 0}) hyps.push_back(normalize_default(kPreds[i].report));
  for (int i : {0, 1, 3}) refs.push_back(normalize_default(kRefs[i].report));
  const NlgScores direct = nlg_scores(prepare_nlg(hyps, refs));
  EXPECT_EQ(s["bleu_4"].get<double>(), direct.bleu[3]);
  EXPECT_EQ(s["cider_d"].get<double>(), direct.cider_d);
  EXPECT_GT(s["meteor_approx"].get<double>(), 0.3);
  EXPECT_FALSE(s.contains("chexpert"));
  EXPECT_FALSE(s["leakage"].get<bool>());
}

TEST(Evaluate, ExternalLabelsGiveChexpertF1) {
  EvalOptions o;
  o.metrics = {"chexpert"};
  o.prediction_labels = {{"s1", labels_with({{"Cardiomegaly", 1}, {"Pleural Effusion", -1}})},
                         {"s2", labels_with({{"No Finding", 1}})},
                         {"s4", labels_with({{"No Finding", 1}})},
                         {"extra", {}}};
  o.reference_labels = {{"s1", labels_with({{"Cardiomegaly", 1}, {"Pleural Effusion", 1}})},
                        {"s2", labels_with({{"No Finding", 1}})},
                        {"s3", labels_with({{"Pneumonia", 1}})},
                        {"s4", labels_with({{"No Finding", 1}})}};
  const Json s = evaluate(kPreds, kRefs, o);
  const Json& neg = s["chexpert"]["uncertain_as_negative"];
  const Json& pos = s["chexpert"]["uncertain_as_positive"];
  // As negative: TP = cardiomegaly + 2 × no finding, FN = effusion → micro 6/7; as positive all 4 agree.
  EXPECT_NEAR(neg["micro_f1_14"].get<double>(), 6.0 / 7.0, 1e-12);
  EXPECT_NEAR(pos["micro_f1_14"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(neg["macro_f1_5"].get<double>(), 1.0 / 5, 1e-12);  // only Cardiomegaly scores among the 5
  EXPECT_NEAR(pos["macro_f1_5"].get<double>(), 2.0 / 5, 1e-12);
  EXPECT_EQ(neg["per_class"]["Pleural Effusion"]["support"], 1);
  EXPECT_EQ(neg["per_class"]["No Finding"]["tp"], 2);
}

TEST(Evaluate, MissingExternalLabelsAreAnInputError) {
  EvalOptions o;
  o.metrics = {"chexpert"};
  o.prediction_labels = std::unordered_map<std::string, ChexpertLabels>{{"s1", {}}};
  o.reference_labels = o.prediction_labels;
  EXPECT_THROW(evaluate(kPreds, kRefs, o), InputError);
}

TEST(Evaluate, BootstrapIntervalsBracketTheEstimatesAndFollowTheSeed) {
  std::vector<Prediction> preds;
  std::vector<Reference> refs;
  const char* findings[] = {"heart size normal", "mild cardiomegaly", "small left effusion", "no pneumothorax",
                            "clear lungs bilaterally", "right basilar atelectasis", "stable mediastinum"};
  for (int i = 0; i < 40; ++i) {
    refs.push_back({std::to_string(i), std::string(findings[i % 7]) + " and " + findings[(i + 2) % 7], {}});
    preds.push_back({std::to_string(i), std::string(findings[i % 7]) + " with " + findings[(i * 3) % 7], {}});
  }
  EvalOptions o = nlg_only();
  o.bootstrap = 200;
  o.seed = 5;
  const Json a = evaluate(preds, refs, o);
  for (const char* key : {"bleu_1", "bleu_4", "rouge_l", "cider_d", "meteor_approx"}) {
    const auto ci = a["ci95"][key];
    EXPECT_LE(ci[0].get<double>(), a[key].get<double>()) << key;
    EXPECT_GE(ci[1].get<double>(), a[key].get<double>()) << key;
    EXPECT_LT(ci[0].get<double>(), ci[1].get<double>()) << key;
  }
  EXPECT_EQ(evaluate(preds, refs, o)["ci95"], a["ci95"]);
  o.seed = 6;
  EXPECT_NE(evaluate(preds, refs, o)["ci95"], a["ci95"]);
}

TEST(Evaluate, LeakageFromProvenanceExamples) {
  std::vector<Prediction> preds = kPreds;
  preds[1].provenance = Json::parse(R"([{"sentence": "Cardiomegaly.", "features": [{"id": 1, "importance": 1.0,
      "description": "big heart", "examples": ["s1", "s8"]}]}])");
  const Json s = evaluate(preds, kRefs, nlg_only());
  EXPECT_TRUE(s["leakage"].get<bool>());
  EXPECT_EQ(s["leakage_count"], 1);
  EXPECT_EQ(s["leakage_ids"][0], "s1");
}

TEST(Evaluate, RadfactHookIsCalledWithMatchedTexts) {
  EvalOptions o = nlg_only();
  size_t seen = 0;
  o.radfact = [&](const std::vector<std::string>& p, const std::vector<std::string>& r) {
    seen = p.size();
    EXPECT_EQ(r[0], kRefs[0].report);
    return Json{{"logical_precision", 0.5}, {"logical_recall", 0.25}};
  };
  const Json s = evaluate(kPreds, kRefs, o);
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(s["radfact"]["logical_recall"], 0.25);
  EXPECT_NE(format_scores(s).find("RadFact rec"), std::string::npos);
}

TEST(Evaluate, BuiltInLabelerFeedsChexpertF1) {
  // Needs text/chexpert's ChexpertLabeler: an effusion the prediction misses is a false negative.
  const std::vector<Reference> refs = {{"a", "Large right pleural effusion.", {}}, {"b", "Moderate cardiomegaly.", {}}};
  const std::vector<Prediction> preds = {{"a", "No pleural effusion.", {}}, {"b", "The heart is enlarged. Cardiomegaly.", {}}};
  EvalOptions o;
  o.metrics = {"chexpert"};
  const Json s = evaluate(preds, refs, o);
  const Json& per_class = s["chexpert"]["uncertain_as_negative"]["per_class"];
  EXPECT_EQ(per_class["Pleural Effusion"]["fn"], 1);
  EXPECT_EQ(per_class["Cardiomegaly"]["tp"], 1);
}

TEST(EvalOptions, MetricListIsValidated) {
  EXPECT_EQ(parse_metric_list("bleu, cider_d,bleu"), (std::vector<std::string>{"bleu", "cider_d"}));
  EXPECT_EQ(parse_metric_list("all").size(), 5u);
  EXPECT_THROW(parse_metric_list("bleu,spice"), InputError);
}

TEST(EvalCli, TextFilesWhitespaceTokenizerJson) {
  TempDir dir;
  write_file_atomic(dir / "preds.txt", "no acute process\nmild cardiomegaly\n");
  write_file_atomic(dir / "refs.txt", "no acute cardiopulmonary process\nmild cardiomegaly noted\n");
  const auto r = run_saerad({"--json", "eval", "--pred", (dir / "preds.txt").string(), "--ref",
                             (dir / "refs.txt").string(), "--tokenizer", "whitespace", "--metrics",
                             "bleu,rouge_l,cider_d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json s = Json::parse(r.out);
  for (const char* key : {"bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l", "cider_d", "n", "leakage"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["n"], 2);
  EXPECT_EQ(s["tokenizer"], "whitespace");
  EXPECT_TRUE(s["provenance"].contains("inputs"));
}

TEST(EvalCli, JsonlWithBootstrapPrintsATable) {
  TempDir dir;
  write_file_atomic(dir / "preds.jsonl",
                    "{\"id\": \"a\", \"report\": \"No effusion.\"}\n{\"id\": \"b\", \"report\": \"Cardiomegaly.\"}\n");
  write_file_atomic(dir / "refs.jsonl",
                    "{\"id\": \"b\", \"report\": \"Mild cardiomegaly.\"}\n{\"id\": \"a\", \"report\": \"No pleural effusion.\"}\n");
  const auto r = run_saerad({"--quiet", "eval", "--pred", (dir / "preds.jsonl").string(), "--ref",
                             (dir / "refs.jsonl").string(), "--metrics", "bleu,rouge_l,cider_d,meteor_approx",
                             "--bootstrap", "50", "--seed", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 studies scored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CIDEr-D"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("95% CI"), std::string::npos) << r.out;
}

TEST(EvalCli, BadInputExitsTwoNamingTheFile) {
  TempDir dir;
  write_file_atomic(dir / "preds.jsonl", "{\"id\": \"a\"}\n");
  write_file_atomic(dir / "refs.txt", "x\n");
  const auto r = run_saerad({"eval", "--pred", (dir / "preds.jsonl").string(), "--ref", (dir / "refs.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preds.jsonl:1"), std::string::npos) << r.err;
  const auto t = run_saerad({"eval", "--pred", (dir / "refs.txt").string(), "--ref", (dir / "refs.txt").string(),
                             "--tokenizer", "ptb"});
  EXPECT_EQ(t.exit_code, 2);
}

}  // namespace
}  // namespace saerad::eval
