// meteor_approx: the stemmer against Snowball's reference output, Meteor's statistics and formula by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "eval/meteor.hpp"
#include "eval/stemmer.hpp"

namespace saerad::eval {
namespace {

TEST(Stemmer, MatchesSnowballEnglishReference) {
  // word:stem pairs printed by the Snowball project's Python stemmer (snowballstemmer, "english").
  const char* pairs =
      "consign:consign consigned:consign consigning:consign consignment:consign generously:generous "
      "effusions:effus opacities:opac enlarged:enlarg cardiomegaly:cardiomegali atelectasis:atelectasi "
      "hyperinflated:hyperinfl pleural:pleural caresses:caress ponies:poni ties:tie cats:cat hopping:hop "
      "hoping:hope happy:happi relational:relat conditional:condit rational:ration digitizer:digit "
      "generate:generat dying:die skies:sky news:news gas:gas gaps:gap kiwis:kiwi cries:cri agreed:agre "
      "feed:feed bleed:bleed luxuriating:luxuri hopefully:hope abnormalities:abnorm interstitial:interstiti "
      "vascular:vascular visualized:visual unchanged:unchang heart:heart hearts:heart sizing:size "
      "fracture:fractur fractures:fractur deformities:deform degenerative:degen communication:communic "
      "arsenal:arsenal succeeded:succeed proceeding:proceed";
  std::istringstream in(pairs);
  std::string pair;
  int checked = 0;
  while (in >> pair) {
    const auto colon = pair.find(':');
    EXPECT_EQ(porter2_stem(pair.substr(0, colon)), pair.substr(colon + 1)) << pair;
    ++checked;
  }
  EXPECT_EQ(checked, 52);
}

TEST(MeteorTokens, SplitsPunctuationAndClitics) {
  EXPECT_EQ(meteor_tokens("Patient's heart: 2.5 cm, stable."),
            (std::vector<std::string>{"patient", "'s", "heart", ":", "2.5", "cm", ",", "stable", "."}));
}

TEST(Meteor, IdenticalSentencesScoreOne) {
  const auto t = meteor_tokens("the heart size is normal");
  const MeteorStats s = meteor_stats(t, t);
  EXPECT_EQ(s.chunks, 1);
  EXPECT_DOUBLE_EQ(meteor_score(s), 1.0);
}

TEST(Meteor, StatisticsAndScoreOfAWorkedExample) {
  // hyp "the heart is enlarged" vs ref "the hearts are enlarged": exact the, enlarged; stem heart~hearts;
  // is/are unmatched (a synonym-stage match in the jar). Function words: the, is / the, are.
  const MeteorStats s = meteor_stats(meteor_tokens("the heart is enlarged"), meteor_tokens("the hearts are enlarged"));
  EXPECT_EQ(s.test_function_words, 2);
  EXPECT_EQ(s.test_content[0], 1);   // enlarged
  EXPECT_EQ(s.test_function[0], 1);  // the
  EXPECT_EQ(s.test_content[1], 1);   // heart (stem)
  EXPECT_EQ(s.matches, 3);
  EXPECT_EQ(s.chunks, 2);  // "the heart" | "enlarged"
  // P = R = (0.75·(1 + 0.6) + 0.25·1) / (0.75·2 + 0.25·2) = 0.725; penalty 0.6·(2/3)^0.2.
  const double expected = 0.725 * (1 - 0.6 * std::pow(2.0 / 3.0, 0.2));
  EXPECT_NEAR(meteor_score(s), expected, 1e-12);
}

TEST(Meteor, CorpusScoreUsesSummedStatistics) {
  const std::vector<std::string> hyps = {"no pleural effusion", "heart is enlarged"};
  const std::vector<std::string> refs = {"no effusion", "the heart is mildly enlarged"};
  const auto per = meteor_corpus_stats(hyps, refs);
  ASSERT_EQ(per.size(), 2u);
  MeteorStats total = per[0];
  total += per[1];
  EXPECT_EQ(total.matches, per[0].matches + per[1].matches);
  const double corpus = meteor_score(total);
  const double mean = (meteor_score(per[0]) + meteor_score(per[1])) / 2;
  EXPECT_GT(corpus, 0.0);
  EXPECT_NE(corpus, mean);  // the jar's corpus score is not the segment mean
}

TEST(Meteor, NoMatchScoresZero) {
  EXPECT_EQ(meteor_score(meteor_stats({"clear"}, {"effusion"})), 0.0);
  EXPECT_EQ(meteor_score(meteor_stats({}, {"effusion"})), 0.0);
}

}  // namespace
}  // namespace saerad::eval
