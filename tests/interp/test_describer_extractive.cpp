#include "interp/describer_extractive.hpp"

#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "iu_reports.hpp"

namespace saerad {
namespace {

DescriberInput input_of(const std::vector<std::string>& reports) {
  DescriberInput in;
  for (size_t i = 0; i < reports.size(); ++i)
    in.examples.push_back({"s" + std::to_string(i), float(reports.size() - i), reports[i]});
  return in;
}

struct Corpus {
  std::vector<std::string> reports;
  std::vector<ChexpertLabels> labels;
};

Corpus synthetic_corpus(const ChexpertLabeler& labeler) {
  Corpus c;
  const std::vector<std::string> normal = {
      "The heart is normal in size. The lungs are clear. No pleural effusion or pneumothorax.",
      "Heart size and mediastinal contours are normal. Lungs are clear. No effusion.",
      "The cardiomediastinal silhouette is within normal limits. No focal consolidation. No pneumothorax.",
      "Normal heart size. Clear lungs. No acute osseous abnormality."};
  for (int i = 0; i < 200; ++i) c.reports.push_back(normal[size_t(i) % normal.size()]);
  c.labels = labeler.label_all(c.reports);
  return c;
}

TEST(ExtractiveDescriber, NamesTheSharedFindingAndItsEvidence) {
  ChexpertLabeler labeler;
  auto corpus = synthetic_corpus(labeler);
  ExtractiveDescriber describer(labeler, corpus.reports, corpus.labels);
  auto in = input_of({
      "The heart is normal in size. There is a small left pleural effusion.",
      "Moderate right pleural effusion. The lungs are otherwise clear.",
      "Small bilateral pleural effusions. Heart size is normal.",
      "The heart is normal in size. The lungs are clear. No pleural effusion or pneumothorax.",
      "There is a small left pleural effusion with adjacent atelectasis.",
  });
  auto d = describer.describe(in);
  ASSERT_TRUE(d.interpretable);
  EXPECT_NE(to_lower(d.description).find("pleural effusion"), std::string::npos) << d.description;
  EXPECT_EQ(d.describer, "extractive");
  EXPECT_EQ(d.describer_model, kExtractiveVersion);
  // Example 3 says there is no effusion: it is not evidence.
  EXPECT_EQ(std::count(d.evidence.begin(), d.evidence.end(), 3), 0);
  EXPECT_GE(d.evidence.size(), 3u);
  // Deterministic.
  EXPECT_EQ(describer.describe(in).description, d.description);
}

TEST(ExtractiveDescriber, NotInterpretableWhenNothingIsShared) {
  ChexpertLabeler labeler;
  auto corpus = synthetic_corpus(labeler);
  ExtractiveDescriber describer(labeler, corpus.reports, corpus.labels);
  // Reports as typical as the background share nothing distinctive.
  auto d = describer.describe(input_of({corpus.reports[0], corpus.reports[1], corpus.reports[2], corpus.reports[3]}));
  EXPECT_FALSE(d.interpretable) << d.description;
  EXPECT_TRUE(d.description.empty());
  // Too few reports.
  EXPECT_FALSE(describer.describe(input_of({"Large right pleural effusion."})).interpretable);
}

TEST(ReportPhrases, TidiesSentencesAndKeepsNegation) {
  EXPECT_EQ(display_sentence("1. there is XXXX small left effusion ."), "There is small left effusion.");
  EXPECT_EQ(display_sentence("XXXX XXXX."), "");
  auto phrases = distinct_phrases("No pleural effusion. The heart is enlarged.");
  EXPECT_TRUE(phrases.count("no pleural effusion"));
  EXPECT_TRUE(phrases.count("pleural effusion"));
  EXPECT_TRUE(phrases.count("heart"));
  EXPECT_FALSE(phrases.count("effusion heart"));  // never across sentences
  EXPECT_FALSE(phrases.count("the heart"));       // never starting with a function word
}

// IU X-Ray reports grouped by their human MeSH code: the extractive description of a group names it.
TEST(ExtractiveDescriberIu, NamesTheMeshCodeOfAGroup) {
  SAERAD_REQUIRE_SHARED(testing::kIuReports);
  auto iu = testing::read_iu_reports();
  ChexpertLabeler labeler;
  std::vector<std::string> background;
  for (const auto& r : iu)
    if (!r.findings.empty()) background.push_back(r.findings);
  ExtractiveDescriber describer(labeler, background, labeler.label_all(background));
  const std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
      {"Pleural Effusion", {"effusion"}},
      {"Cardiomegaly", {"cardiomegaly", "heart", "cardiac"}},
      {"Pneumothorax", {"pneumothorax"}},
      {"Scoliosis", {"scoliosis", "spine"}},
      {"Emphysema", {"emphysema", "hyperinflat", "copd", "hyperexpan"}},
  };
  Rng rng(7);
  int named = 0;
  for (const auto& [code, words] : groups) {
    std::vector<std::string> reports;
    for (const auto& r : iu)
      if (r.has(code) && !r.findings.empty()) reports.push_back(r.findings);
    rng.shuffle(reports);
    reports.resize(std::min<size_t>(reports.size(), 10));
    ASSERT_GE(reports.size(), 5u) << code;
    auto d = describer.describe(input_of(reports));
    bool hit = false;
    for (const auto& w : words) hit |= to_lower(d.description).find(w) != std::string::npos;
    std::printf("[%s] interpretable=%d: %s\n", code.c_str(), int(d.interpretable), d.description.c_str());
    named += hit;
    if (code == "Pleural Effusion") {
      EXPECT_TRUE(hit) << d.description;
    }
  }
  EXPECT_GE(named, 4) << "of " << groups.size() << " MeSH groups named";
  // A random draw of reports shares nothing distinctive.
  int random_interpretable = 0;
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<std::string> reports = background;
    rng.shuffle(reports);
    reports.resize(10);
    auto d = describer.describe(input_of(reports));
    if (d.interpretable) std::printf("[random draw %d] %s\n", trial, d.description.c_str());
    random_interpretable += d.interpretable;
  }
  EXPECT_LE(random_interpretable, 1);
}

}  // namespace
}  // namespace saerad
