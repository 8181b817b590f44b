// CheXpert F1 arithmetic on label vectors built by hand (independent of the labeler).
#include <gtest/gtest.h>

#include "eval/chexpert_f1.hpp"

namespace saerad::eval {
namespace {

size_t idx(std::string_view name) { return *observation_index(name); }

ChexpertLabels labels(std::initializer_list<std::pair<std::string_view, int>> values) {
  ChexpertLabels l{};
  for (const auto& [name, v] : values) l[idx(name)] = v;
  return l;
}

TEST(ChexpertF1, UncertainPolicyDecidesPositives) {
  const auto pred = labels({{"Edema", -1}, {"Cardiomegaly", 1}});
  const auto ref = labels({{"Edema", 1}, {"Cardiomegaly", -1}});
  const auto neg = study_outcome(pred, ref, UncertainPolicy::AsNegative);
  const auto pos = study_outcome(pred, ref, UncertainPolicy::AsPositive);
  const uint16_t edema = 1u << idx("Edema"), cardio = 1u << idx("Cardiomegaly");
  EXPECT_EQ(neg.fn, edema);   // uncertain prediction counts as negative
  EXPECT_EQ(neg.fp, cardio);  // uncertain reference counts as negative
  EXPECT_EQ(neg.tp, 0);
  EXPECT_EQ(pos.tp, edema | cardio);
  EXPECT_EQ(pos.fp | pos.fn, 0);
}

TEST(ChexpertF1, HandComputedMicroMacroAndPerClass) {
  // Three studies. Cardiomegaly: TP, FP, TP → P 2/3, R 1, F1 0.8. Edema: FN in study 3 → F1 0.
  // Pleural Effusion: TP in study 2 → F1 1. Everything else absent → F1 0 (counts in the macro mean).
  std::vector<StudyOutcome> outcomes = {
      study_outcome(labels({{"Cardiomegaly", 1}}), labels({{"Cardiomegaly", 1}}), UncertainPolicy::AsNegative),
      study_outcome(labels({{"Cardiomegaly", 1}, {"Pleural Effusion", 1}}), labels({{"Pleural Effusion", 1}, {"Cardiomegaly", 0}}),
                    UncertainPolicy::AsNegative),
      study_outcome(labels({{"Cardiomegaly", 1}, {"Edema", 0}}), labels({{"Cardiomegaly", 1}, {"Edema", 1}}),
                    UncertainPolicy::AsNegative)};
  const ChexpertF1 f = chexpert_f1(outcomes);
  const auto& c = f.per_class[idx("Cardiomegaly")];
  EXPECT_EQ(c.tp, 2u);
  EXPECT_EQ(c.fp, 1u);
  EXPECT_EQ(c.support, 2u);
  EXPECT_NEAR(c.precision, 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(c.recall, 1.0, 1e-15);
  EXPECT_NEAR(c.f1, 0.8, 1e-15);
  EXPECT_EQ(f.per_class[idx("Edema")].f1, 0.0);
  EXPECT_EQ(f.per_class[idx("Edema")].support, 1u);
  EXPECT_NEAR(f.per_class[idx("Pleural Effusion")].f1, 1.0, 1e-15);
  // Pooled: TP 3, FP 1, FN 1 → micro F1 = 6 / 8 over both the 14 and the 5 (all three are in the 5).
  EXPECT_NEAR(f.micro_f1_14, 0.75, 1e-15);
  EXPECT_NEAR(f.micro_f1_5, 0.75, 1e-15);
  EXPECT_NEAR(f.macro_f1_14, (0.8 + 0 + 1) / 14, 1e-15);
  EXPECT_NEAR(f.macro_f1_5, (0.8 + 0 + 1) / 5, 1e-15);
}

TEST(ChexpertF1, MultiplicityWeightsStudies) {
  const std::vector<StudyOutcome> outcomes = {
      study_outcome(labels({{"Edema", 1}}), labels({{"Edema", 1}}), UncertainPolicy::AsNegative),
      study_outcome(labels({{"Edema", 1}}), labels({}), UncertainPolicy::AsNegative)};
  const std::vector<uint32_t> mult = {3, 1};
  const ChexpertF1 f = chexpert_f1(outcomes, mult);
  EXPECT_EQ(f.per_class[idx("Edema")].tp, 3u);
  EXPECT_EQ(f.per_class[idx("Edema")].fp, 1u);
  EXPECT_NEAR(f.per_class[idx("Edema")].f1, 6.0 / 7.0, 1e-15);
}

TEST(ChexpertF1, NothingPositiveAnywhereScoresZeroNotNan) {
  const std::vector<StudyOutcome> outcomes = {study_outcome(labels({}), labels({}), UncertainPolicy::AsPositive)};
  const ChexpertF1 f = chexpert_f1(outcomes);
  EXPECT_EQ(f.micro_f1_14, 0.0);
  EXPECT_EQ(f.macro_f1_5, 0.0);
}

}  // namespace
}  // namespace saerad::eval
