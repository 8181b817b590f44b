// BLEU / ROUGE-L / CIDEr-D against pycocoevalcap's values on five report pairs (nlg-vectors.json, computed
// with the pycocoevalcap scorers; see ../shared/reference/README.md). Tolerance: 1e-9 relative.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/json_io.hpp"
#include "eval/nlg.hpp"
#include "eval/pairwise_sum.hpp"
#include "eval/rouge.hpp"
#include "eval/tokenize.hpp"
#include "support/test_support.hpp"

namespace saerad::eval {
namespace {

constexpr double kRelTol = 1e-9;

void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, kRelTol * std::max(1.0, std::abs(expected))) << what;
  if (expected != 0 && std::abs(expected) < 1) {  // relative as well for small values (sentence BLEU 1e-17)
    EXPECT_LE(std::abs(actual - expected), kRelTol * std::abs(expected)) << what;
  }
}

Json vectors() { return read_json_file(testing::test_data_dir() / "eval" / "nlg-vectors.json"); }

class NlgVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(NlgVectors, MatchPycocoevalcap) {
  const Json v = vectors()[GetParam()];
  const auto hyps = v["hyps"].get<std::vector<std::string>>();
  const auto refs = v["refs"].get<std::vector<std::string>>();
  const NlgCorpus corpus = prepare_nlg(hyps, refs);  // the strings are already tokenized (whitespace)
  const NlgScores scores = nlg_scores(corpus);
  for (int k = 0; k < 4; ++k)
    expect_close(scores.bleu[k], v["corpus_bleu_1_4"][k].get<double>(), "corpus BLEU-" + std::to_string(k + 1));
  for (size_t i = 0; i < hyps.size(); ++i) {
    expect_close(bleu_scores(corpus.bleu[i])[3], v["sentence_bleu_4"][i].get<double>(),
                 "sentence BLEU-4 #" + std::to_string(i));
    expect_close(corpus.rouge_l[i], v["rougeL_per_sample"][i].get<double>(), "ROUGE-L #" + std::to_string(i));
    expect_close(scores.cider_d_per_study[i], v["ciderD_per_sample"][i].get<double>(),
                 "CIDEr-D #" + std::to_string(i));
  }
  expect_close(scores.rouge_l, v["rougeL_mean"].get<double>(), "ROUGE-L mean");
  expect_close(scores.cider_d, v["ciderD_mean"].get<double>(), "CIDEr-D mean");
}

INSTANTIATE_TEST_SUITE_P(Both, NlgVectors, ::testing::Values("raw", "lower_punct_stripped"));

TEST(Tokenizer, DefaultMapsRawToLowerPunctStrippedExactly) {
  const Json v = vectors();
  for (const char* side : {"hyps", "refs"}) {
    const auto raw = v["raw"][side].get<std::vector<std::string>>();
    const auto expected = v["lower_punct_stripped"][side].get<std::vector<std::string>>();
    ASSERT_EQ(raw.size(), expected.size());
    for (size_t i = 0; i < raw.size(); ++i) EXPECT_EQ(normalize_default(raw[i]), expected[i]) << raw[i];
  }
}

TEST(Tokenizer, DefaultKeepsWordCharactersAndApostrophes) {
  EXPECT_EQ(normalize_default("  Pt's  L-sided\tPICC_line (5.2 cm)!  "), "pt's l sided picc_line 5 2 cm");
  EXPECT_EQ(normalize_default("No effusion — stable; 10° × 2"), "no effusion stable 10 2");
  EXPECT_EQ(normalize_default("ÉPANCHEMENT pleural"), "épanchement pleural");
  EXPECT_EQ(normalize_default(""), "");
  EXPECT_EQ(normalize_default("..."), "");
}

TEST(Tokenizer, R2GenCleanerMatchesItsPythonSemantics) {
  // Expected strings worked by hand from R2Gen's clean_report_mimic_cxr.
  EXPECT_EQ(normalize_r2gen("1. No acute process. 2. Stable cardiomegaly."), "no acute process . stable cardiomegaly .");
  EXPECT_EQ(normalize_r2gen("Heart size normal.  Lungs are clear..\nNo effusion."),
            "heart size normal . lungs are clear . no effusion .");
  // Stripping happens before the characters are removed, so a space before a removed "." survives.
  EXPECT_EQ(normalize_r2gen("Left PICC (tip in SVC) ."), "left picc tip in svc  .");
  EXPECT_EQ(normalize_r2gen("a/b c'd e:f"), "ab cd ef .");
}

TEST(Tokenizer, ParsesNamesAndRejectsUnknown) {
  EXPECT_EQ(parse_tokenizer("r2gen"), Tokenizer::R2Gen);
  EXPECT_THROW(parse_tokenizer("ptb"), InputError);
}

TEST(Split, FollowsPythonSplitSemantics) {
  EXPECT_EQ(split_python_whitespace(" a\t b\n").size(), 2u);
  EXPECT_TRUE(split_python_whitespace("   ").empty());
  const auto single = split_single_space("a  b");
  ASSERT_EQ(single.size(), 3u);
  EXPECT_EQ(single[1], "");
  EXPECT_EQ(split_single_space("").size(), 1u);
}

TEST(Rouge, LcsOfKnownSequences) {
  const std::vector<uint32_t> a{1, 2, 3, 4, 5, 6}, b{2, 9, 4, 6, 1};
  EXPECT_EQ(lcs_length(a, b), 3u);  // 2 4 6
  EXPECT_EQ(lcs_length(b, a), 3u);
  EXPECT_EQ(lcs_length(a, {}), 0u);
}

TEST(Nlg, EmptyHypothesisScoresZeroAndIdenticalScoresOne) {
  const NlgCorpus corpus = prepare_nlg({"", "heart size is normal"}, {"no effusion", "heart size is normal"});
  const NlgScores s = nlg_scores(corpus);
  EXPECT_EQ(corpus.rouge_l[0], 0.0);
  EXPECT_DOUBLE_EQ(corpus.rouge_l[1], 1.0);
  EXPECT_EQ(s.cider_d_per_study[0], 0.0);
  EXPECT_NEAR(s.cider_d_per_study[1], 10.0, 1e-12);
}

TEST(Nlg, MultiplicityEqualsDuplicatedCorpus) {
  // A bootstrap sample with multiplicities must score like the corpus with those studies repeated.
  const std::vector<std::string> hyps{"mild cardiomegaly", "no pleural effusion", "left lower lobe opacity"};
  const std::vector<std::string> refs{"heart is mildly enlarged", "no effusion or pneumothorax",
                                      "left lower lobe atelectasis"};
  const NlgCorpus corpus = prepare_nlg(hyps, refs);
  const std::vector<uint32_t> mult{2, 0, 1};
  const NlgScores weighted = nlg_scores(corpus, mult);
  const NlgScores repeated = nlg_scores(prepare_nlg({hyps[0], hyps[0], hyps[2]}, {refs[0], refs[0], refs[2]}));
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(weighted.bleu[k], repeated.bleu[k], 1e-12);
  EXPECT_NEAR(weighted.rouge_l, repeated.rouge_l, 1e-12);
  EXPECT_NEAR(weighted.cider_d, repeated.cider_d, 1e-12);
  EXPECT_GT(repeated.cider_d, 0.0);
}

TEST(PairwiseSum, MatchesNumpyOrderOnKnownCase) {
  // 1e16 + 1 + ... : a plain left-to-right sum loses the ones that numpy's 8 accumulators keep.
  std::vector<double> v(16, 1.0);
  v[0] = 1e16;
  double plain = 0;
  for (double x : v) plain += x;
  EXPECT_EQ(plain, 1e16);
  // r0 stays 1e16 (1e16 + 1 rounds to even), r1..r7 = 2 each: (1e16 + 2 + 4) + 8
  EXPECT_EQ(numpy_sum(v), 1e16 + 14.0);
}

}  // namespace
}  // namespace saerad::eval
