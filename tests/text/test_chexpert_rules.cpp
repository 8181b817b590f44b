// One case (at least) for every rule of the labeler: negation forms, uncertainty forms and their order,
// unmention exclusions, the CHF rule, No Finding and its vetoes, merging of a report's mentions, cleaning.
#include <gtest/gtest.h>

#include "text/chexpert.hpp"
#include "text/negation.hpp"

namespace saerad {
namespace {

const ChexpertLabeler& labeler() {
  static const ChexpertLabeler instance;
  return instance;
}

// The label of one observation as the labeler's CSV writes it ("1.0", "0.0", "-1.0", "").
std::string L(std::string_view report, std::string_view observation) {
  return std::string(format_label(labeler().label(report)[*observation_index(observation)]));
}

TEST(ChexpertClean, MatchesTheLabelersLoader) {
  EXPECT_EQ(chexpert_clean("Atelectasis/consolidation and/or EDEMA..  Heart,lungs"),
            "atelectasis or consolidation or edema. heart, lungs");
  EXPECT_EQ(chexpert_clean("No effusion.\n\n. Next"), "no effusion. next");
  EXPECT_EQ(chexpert_clean("  1.5 cm  "), "1. 5 cm");
}

TEST(ChexpertRules, PlainMentionsArePositive) {
  EXPECT_EQ(L("Small left pleural effusion.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("Moderate cardiomegaly.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("Right upper lobe consolidation.", "Consolidation"), "1.0");
  EXPECT_EQ(L("Endotracheal tube terminates 4 cm above the carina.", "Support Devices"), "1.0");
}

TEST(ChexpertRules, NegationForms) {
  EXPECT_EQ(L("No pleural effusion.", "Pleural Effusion"), "0.0");
  EXPECT_EQ(L("There is no evidence of pneumothorax.", "Pneumothorax"), "0.0");
  EXPECT_EQ(L("Lungs are clear without focal consolidation.", "Consolidation"), "0.0");
  EXPECT_EQ(L("Heart size is normal.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("Normal heart size.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("The cardiac silhouette is within normal limits.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("Heart size is at the upper limits of normal.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("The mediastinum is unremarkable.", "Enlarged Cardiomediastinum"), "0.0");
  EXPECT_EQ(L("The previously seen pneumothorax has resolved.", "Pneumothorax"), "0.0");
  EXPECT_EQ(L("Interval resolution of the left pleural effusion.", "Pleural Effusion"), "0.0");
  EXPECT_EQ(L("The lungs are free of consolidation.", "Consolidation"), "0.0");
  EXPECT_EQ(L("Negative for pneumonia.", "Pneumonia"), "0.0");
  EXPECT_EQ(L("Likely atelectasis rather than pneumonia.", "Pneumonia"), "0.0");
  EXPECT_EQ(L("Likely atelectasis rather than pneumonia.", "Atelectasis"), "1.0");
  EXPECT_EQ(L("The heart is not enlarged.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("Pneumothorax is not seen.", "Pneumothorax"), "0.0");
  EXPECT_EQ(L("The chest tube has been removed.", "Support Devices"), "0.0");
  EXPECT_EQ(L("Pneumothorax is no longer seen.", "Pneumothorax"), "0.0");
  EXPECT_EQ(L("No pleural line to suggest pneumothorax.", "Pneumothorax"), "0.0");
  EXPECT_EQ(L("No definite pleural effusion.", "Pleural Effusion"), "0.0");  // deviation: see negation.cpp
}

TEST(ChexpertRules, NegationCoversAListButNotTheNextClause) {
  const std::string report = "No focal consolidation, pleural effusion, or pneumothorax.";
  EXPECT_EQ(L(report, "Consolidation"), "0.0");
  EXPECT_EQ(L(report, "Pleural Effusion"), "0.0");
  EXPECT_EQ(L(report, "Pneumothorax"), "0.0");
  EXPECT_EQ(L("No effusion is seen and the heart is enlarged.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("No pneumothorax. Small effusion.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("No pneumothorax but there is a small effusion.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("Cardiomegaly without overt edema.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("Cardiomegaly without overt edema.", "Edema"), "0.0");
  // Backward scopes stop at the subject's verb, tight ones at a comma outside a list.
  EXPECT_EQ(L("The heart is enlarged and the lungs are normal.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("Small left effusion, heart size normal.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("Normal heart size, small left effusion.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("The heart, mediastinum, and hila are normal.", "Cardiomegaly"), "0.0");
  EXPECT_EQ(L("The heart, mediastinum, and hila are normal.", "Enlarged Cardiomediastinum"), "0.0");
  EXPECT_EQ(L("Normal cardiac size, mediastinum, and vasculature.", "Enlarged Cardiomediastinum"), "0.0");
  EXPECT_EQ(L("Mediastinal silhouette is within normal limits for size and contour.", "Enlarged Cardiomediastinum"),
            "0.0");
  EXPECT_EQ(L("Heart size within normal limits, small left effusion.", "Pleural Effusion"), "1.0");
}

TEST(ChexpertRules, PreNegationUncertainty) {
  EXPECT_EQ(L("Cannot exclude pneumonia.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("Early pneumonia cannot be excluded.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("A small pneumothorax is not excluded.", "Pneumothorax"), "-1.0");
  EXPECT_EQ(L("Cannot rule out mild edema.", "Edema"), "-1.0");
  EXPECT_EQ(L("No new consolidation.", "Consolidation"), "-1.0");  // pre-negation beats "no"
}

TEST(ChexpertRules, PostNegationUncertainty) {
  EXPECT_EQ(L("Possible pneumonia.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("Opacity may represent atelectasis.", "Atelectasis"), "-1.0");
  EXPECT_EQ(L("Opacity may represent atelectasis.", "Lung Opacity"), "1.0");
  EXPECT_EQ(L("Findings suspicious for pneumonia.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("Atelectasis versus pneumonia.", "Atelectasis"), "-1.0");
  EXPECT_EQ(L("Atelectasis versus pneumonia.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("Pneumonia is less likely.", "Pneumonia"), "-1.0");
  EXPECT_EQ(L("Borderline heart size.", "Cardiomegaly"), "-1.0");
  EXPECT_EQ(L("A small effusion could be present.", "Pleural Effusion"), "-1.0");
  EXPECT_EQ(L("The left hemidiaphragm obscures the effusion.", "Pleural Effusion"), "-1.0");
  EXPECT_EQ(L("Mild pulmonary vascular congestion.", "Edema"), "-1.0");  // uncertain by itself
  EXPECT_EQ(L("No pulmonary vascular congestion.", "Edema"), "0.0");     // ... unless negated
  // Negation is matched before post-negation uncertainty: "or" does not make a negated mention uncertain.
  EXPECT_EQ(L("No edema or pneumonia.", "Pneumonia"), "0.0");
  EXPECT_EQ(L("Minimal opacity, may reflect atelectasis or consolidation.", "Consolidation"), "-1.0");
}

TEST(ChexpertRules, StableHeartAndMediastinumAreUncertainOtherFindingsStayPositive) {
  EXPECT_EQ(L("Heart size is stable.", "Cardiomegaly"), "-1.0");
  EXPECT_EQ(L("Unchanged cardiomediastinal silhouette.", "Enlarged Cardiomediastinum"), "-1.0");
  EXPECT_EQ(L("Stable mild cardiomegaly.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("Unchanged small left pleural effusion.", "Pleural Effusion"), "1.0");
  EXPECT_EQ(L("No change in the small left pleural effusion.", "Pleural Effusion"), "1.0");
}

TEST(ChexpertRules, UnmentionsCancelOverlappingMentions) {
  EXPECT_EQ(L("Small pericardial effusion.", "Pleural Effusion"), "");
  EXPECT_EQ(L("Massive cardiomegaly.", "Lung Lesion"), "");
  EXPECT_EQ(L("Massive cardiomegaly.", "Cardiomegaly"), "1.0");
  EXPECT_EQ(L("Calcified nodule in the left upper lobe.", "Lung Lesion"), "");
  EXPECT_EQ(L("Left apical pleural scar.", "Lung Opacity"), "");
  EXPECT_EQ(L("Left apical pleural scar.", "Pleural Other"), "1.0");
  EXPECT_EQ(L("Surgical clips over the heart.", "Cardiomegaly"), "");
  EXPECT_EQ(L("Pacer leads in the right heart.", "Cardiomegaly"), "");
  EXPECT_EQ(L("Pacer leads in the right heart.", "Support Devices"), "1.0");
}

TEST(ChexpertRules, HeartFailureAddsUncertainCardiomegaly) {
  EXPECT_EQ(L("Findings consistent with CHF.", "Edema"), "1.0");
  EXPECT_EQ(L("Findings consistent with CHF.", "Cardiomegaly"), "-1.0");
  EXPECT_EQ(L("Possible heart failure.", "Cardiomegaly"), "-1.0");
  EXPECT_EQ(L("No evidence of CHF.", "Edema"), "0.0");
  EXPECT_EQ(L("No evidence of CHF.", "Cardiomegaly"), "");
  EXPECT_EQ(L("Mild cardiomegaly and CHF.", "Cardiomegaly"), "1.0");  // {1, -1} → 1
}

TEST(ChexpertRules, NoFindingAndItsVetoes) {
  EXPECT_EQ(L("No acute cardiopulmonary process.", "No Finding"), "1.0");
  EXPECT_EQ(L("No effusion or pneumothorax.", "No Finding"), "1.0");
  EXPECT_EQ(L("Pacemaker in place. Lungs clear.", "No Finding"), "1.0");  // devices do not veto
  EXPECT_EQ(L("Small effusion.", "No Finding"), "");
  EXPECT_EQ(L("Possible small effusion.", "No Finding"), "");  // uncertain vetoes too
  EXPECT_EQ(L("Emphysema.", "No Finding"), "");                // the no-finding veto list
  EXPECT_EQ(L("Degenerative changes of the spine.", "No Finding"), "");
  EXPECT_EQ(L("No emphysema.", "No Finding"), "1.0");
  // No Finding is never 0 or -1.
  for (const char* r : {"Large effusion.", "Cannot exclude pneumonia.", "No pneumonia."}) {
    const std::string nf = L(r, "No Finding");
    EXPECT_TRUE(nf == "1.0" || nf.empty()) << r;
  }
}

TEST(ChexpertRules, MergingMentionsOfOneObservation) {
  EXPECT_EQ(L("No right effusion. Possible left effusion.", "Pleural Effusion"), "-1.0");    // {0,-1} → -1
  EXPECT_EQ(L("No right effusion. Small left effusion.", "Pleural Effusion"), "1.0");        // {0,1} → 1
  EXPECT_EQ(L("Possible right effusion. Small left effusion.", "Pleural Effusion"), "1.0");  // {-1,1} → 1
  EXPECT_EQ(L("No right effusion. Possible left effusion. Small basal effusion.", "Pleural Effusion"),
            "-1.0");  // {0,-1,1} → -1
  EXPECT_EQ(L("No right effusion. No left effusion.", "Pleural Effusion"), "0.0");
}

TEST(ChexpertRules, MentionsExplainTheirStatus) {
  const auto mentions = labeler().mentions("No effusion. Possible pneumonia.");
  ASSERT_EQ(mentions.size(), 2u);
  EXPECT_EQ(kObservations[mentions[0].observation], "Pleural Effusion");
  EXPECT_EQ(mentions[0].status, 0);
  EXPECT_EQ(mentions[0].sentence, "no effusion.");
  EXPECT_EQ(mentions[1].phrase, "pneumonia");
  EXPECT_EQ(mentions[1].status, -1);
}

TEST(ChexpertRules, LabelAllMatchesLabel) {
  std::vector<std::string> reports;
  for (int i = 0; i < 300; ++i)
    reports.push_back(i % 3 == 0 ? "No effusion." : i % 3 == 1 ? "Possible pneumonia." : "Mild cardiomegaly.");
  const auto all = labeler().label_all(reports);
  ASSERT_EQ(all.size(), reports.size());
  for (size_t i = 0; i < reports.size(); ++i) EXPECT_EQ(all[i], labeler().label(reports[i]));
}

TEST(NegationDetector, LongestTriggerWinsAndWordsAreUsedOnce) {
  NegationDetector detector;
  SentenceAnalysis a;
  detector.analyse("the effusion is not well visualized.", a);
  ASSERT_EQ(a.triggers.size(), 1u);
  EXPECT_EQ(a.triggers[0].trigger->phrase, "not well visualized");
  EXPECT_EQ(detector.classify(a, 4, 12, false), MentionStatus::Uncertain);
}

}  // namespace
}  // namespace saerad
