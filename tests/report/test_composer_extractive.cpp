#include "report/composer_extractive.hpp"

#include <gtest/gtest.h>

#include "core/strings.hpp"
#include "report/anatomy_order.hpp"

namespace saerad {
namespace {

ActiveFeature feature(int64_t id, double importance, std::string description) {
  ActiveFeature f;
  f.id = id;
  f.importance = importance;
  f.interpretable = true;
  f.description = std::move(description);
  f.examples = {"ex" + std::to_string(id)};
  return f;
}

const ComposedSentence* find_sentence(const ComposedReport& r, const std::string& word) {
  for (const auto& s : r.sentences)
    if (to_lower(s.sentence).find(word) != std::string::npos) return &s;
  return nullptr;
}

TEST(ExtractiveComposer, ResolvesContradictionsByImportanceWeightedVote) {
  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  ComposerInput in;
  in.study_id = "s1";
  in.features = {feature(1, 0.30, "No pleural effusion."), feature(2, 0.25, "Small left pleural effusion."),
                 feature(3, 0.20, "Blunting of the costophrenic angle from a pleural effusion.")};
  auto r = composer.compose(in);
  // 0.45 for the effusion against 0.30: one statement, the most important supporter's sentence.
  int mentions = 0;
  for (const auto& s : r.sentences) mentions += to_lower(s.sentence).find("effusion") != std::string::npos;
  EXPECT_EQ(mentions, 1) << r.text();
  const auto* s = find_sentence(r, "effusion");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->sentence, "Small left pleural effusion.");
  EXPECT_EQ(s->feature_ids, (std::vector<int64_t>{2, 3}));

  // Reweighted: the absent side wins.
  in.features[0].importance = 0.6;
  r = composer.compose(in);
  s = find_sentence(r, "effusion");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->sentence, "No pleural effusion.");
  EXPECT_EQ(s->feature_ids, (std::vector<int64_t>{1}));
}

TEST(ExtractiveComposer, OrdersLinesLungsPleuraHeartBones) {
  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  ComposerInput in;
  in.features = {feature(1, 0.3, "Degenerative changes of the thoracic spine."), feature(2, 0.25, "The heart is enlarged."),
                 feature(3, 0.2, "Right pleural effusion."), feature(4, 0.15, "Right lower lobe consolidation."),
                 feature(5, 0.1, "Right internal jugular central venous catheter.")};
  auto r = composer.compose(in);
  ASSERT_EQ(r.sentences.size(), 5u) << r.text();
  EXPECT_EQ(r.sentences[0].feature_ids, (std::vector<int64_t>{5}));
  EXPECT_EQ(r.sentences[1].feature_ids, (std::vector<int64_t>{4}));
  EXPECT_EQ(r.sentences[2].feature_ids, (std::vector<int64_t>{3}));
  EXPECT_EQ(r.sentences[3].feature_ids, (std::vector<int64_t>{2}));
  EXPECT_EQ(r.sentences[4].feature_ids, (std::vector<int64_t>{1}));
  // Provenance: sentence → features → importance, description and example studies.
  auto p = r.provenance(in.features);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0]["sentence"], r.sentences[0].sentence);
  EXPECT_EQ(p[0]["features"][0]["id"], 5);
  EXPECT_DOUBLE_EQ(p[0]["features"][0]["importance"].get<double>(), 0.1);
  EXPECT_EQ(p[0]["features"][0]["examples"][0], "ex5");
}

TEST(ExtractiveComposer, TemplateWhenTheBestSentenceAssertsALosingFinding) {
  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  ComposerInput in;
  // Feature 1's sentence denies both; the pneumothorax is decided present by feature 2, so feature 1's
  // sentence cannot state the (absent) effusion.
  in.features = {feature(1, 0.4, "No pleural effusion or pneumothorax."), feature(2, 0.5, "Large right pneumothorax.")};
  auto r = composer.compose(in);
  auto text = to_lower(r.text());
  EXPECT_EQ(text.find("no pleural effusion or pneumothorax"), std::string::npos) << text;
  EXPECT_NE(text.find("large right pneumothorax"), std::string::npos) << text;
  const auto* s = find_sentence(r, "effusion");
  ASSERT_TRUE(s) << text;
  EXPECT_EQ(s->sentence, observation_statement(*observation_index("Pleural Effusion"), 0));
  EXPECT_EQ(s->feature_ids, (std::vector<int64_t>{1}));
}

TEST(ExtractiveComposer, DeduplicatesUnlabelledSentencesAndHandlesNoFeatures) {
  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  ComposerInput in;
  in.features = {feature(1, 0.5, "Calcified granuloma in the right upper lobe."),
                 feature(2, 0.3, "Calcified granuloma in the right lower lobe.")};
  auto r = composer.compose(in);
  ASSERT_EQ(r.sentences.size(), 1u) << r.text();
  EXPECT_EQ(r.sentences[0].feature_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(composer.compose(ComposerInput{}).sentences.empty());
}

TEST(ExtractiveComposer, TemplatesSayWhatTheLabelerReads) {
  ChexpertLabeler labeler;
  for (size_t o = 1; o < kNumObservations; ++o)
    for (int polarity : {1, 0}) {
      auto labels = labeler.label(observation_statement(o, polarity));
      ASSERT_TRUE(labels[o].has_value()) << kObservations[o] << " " << observation_statement(o, polarity);
      EXPECT_EQ(*labels[o], polarity) << observation_statement(o, polarity);
    }
}

TEST(AnatomyOrder, RegionsFromLabelsThenKeywords) {
  ChexpertLabels none{};
  EXPECT_EQ(sentence_region("Pacemaker leads project over the heart.", none), Region::LinesTubes);
  EXPECT_EQ(sentence_region("Calcified granuloma in the left lung.", none), Region::Lungs);
  EXPECT_EQ(sentence_region("Mild thoracic scoliosis.", none), Region::Bones);
  EXPECT_EQ(sentence_region("Tortuous aorta.", none), Region::HeartMediastinum);
  ChexpertLabels effusion{};
  effusion[*observation_index("Pleural Effusion")] = 1;
  EXPECT_EQ(sentence_region("Anything.", effusion), Region::Pleura);
}

}  // namespace
}  // namespace saerad
