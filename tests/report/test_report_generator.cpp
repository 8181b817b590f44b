#include "report/report_generator.hpp"

#include <gtest/gtest.h>

#include "report/composer_extractive.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;

TEST(ReportGenerator, ImportanceIsContributionOverTheActiveSetAndLeakageIsFlagged) {
  TempDir dir;
  {
    FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
    store.write_statistics({{0, 0.1, 1, 1}, {1, 0.1, 1, 1}, {2, 0.1, 1, 1}},
                           {{0, 0, "a", 3.0f}, {0, 1, "study-x", 2.0f}, {1, 0, "b", 1.0f}}, {});
    store.write_description(0, {true, "Large right pleural effusion.", {0}, "extractive", "m", "1"});
    store.write_description(1, {true, "The heart is enlarged.", {0}, "extractive", "m", "1"});
    store.write_description(2, {false, "", {}, "extractive", "m", "1"});
  }
  FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadOnly);
  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  // Decoder norms 1, 2, 1: contributions 1·1, 1·2, 1·1 → importances 0.25, 0.5, 0.25.
  ReportGenerator generator(std::vector<float>{1.0f, 2.0f, 1.0f}, store, composer);
  const std::vector<int32_t> indices = {0, 1, 2};
  const std::vector<float> values = {1.0f, 1.0f, 1.0f};
  auto r = generator.generate_from_row(indices, values, {"study-x", "", ""});
  ASSERT_EQ(r.active.size(), 3u);
  EXPECT_EQ(r.active[0].id, 1);
  EXPECT_DOUBLE_EQ(r.active[0].importance, 0.5);
  EXPECT_DOUBLE_EQ(r.active[1].importance, 0.25);
  EXPECT_FALSE(r.active[2].interpretable);  // feature 2: active but never sent to the composer
  ASSERT_EQ(r.provenance.size(), 2u) << r.report;
  // Pleura before heart; provenance carries importance, description and the examples.
  EXPECT_EQ(r.provenance[0]["features"][0]["id"], 0);
  EXPECT_EQ(r.provenance[0]["features"][0]["examples"], Json::parse(R"(["a", "study-x"])"));
  EXPECT_EQ(r.provenance[1]["features"][0]["id"], 1);
  EXPECT_TRUE(r.leakage);  // study-x is an example of feature 0, which wrote a sentence
  auto clean = generator.generate_from_row(indices, values, {"study-y", "", ""});
  EXPECT_FALSE(clean.leakage);
  const Json line = clean.to_json();
  EXPECT_EQ(line["id"], "study-y");
  EXPECT_EQ(line["report"], clean.report);
  EXPECT_TRUE(line["provenance"].is_array());
  // Limits: one feature only.
  ReportGenerator one(std::vector<float>{1.0f, 2.0f, 1.0f}, store, composer, {.max_features = 1});
  auto r1 = one.generate_from_row(indices, values, {"s", "", ""});
  ASSERT_EQ(r1.provenance.size(), 1u);
  EXPECT_EQ(r1.provenance[0]["features"][0]["id"], 1);
}

// Settings recorded in the store are read back as defaults, flags override them, and a study none of whose
// features passes min_importance gets the recorded normal-study report (with a sentence citing nothing).
TEST(ReportGenerator, RecordedSettingsAndTheEmptyStudyReport) {
  TempDir dir;
  {
    FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
    EXPECT_EQ(recorded_report_options(store).max_features, 0);  // nothing recorded: the defaults
    store.write_statistics({{0, 0.1, 1, 1}, {1, 0.1, 1, 1}}, {{0, 0, "a", 3.0f}, {1, 0, "b", 1.0f}}, {});
    store.write_description(0, {true, "Large right pleural effusion.", {0}, "extractive", "m", "1"});
    store.write_description(1, {true, "The heart is enlarged.", {0}, "extractive", "m", "1"});
    record_report_options(store, {.max_features = 2, .min_importance = 0.6, .empty_report = "Normal chest."});
  }
  FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadOnly);
  const ReportOptions recorded = recorded_report_options(store);
  EXPECT_EQ(recorded.max_features, 2);
  EXPECT_DOUBLE_EQ(recorded.min_importance, 0.6);
  EXPECT_EQ(recorded.empty_report, "Normal chest.");
  const ReportOptions overridden = report_options_for(store, 1, std::nullopt);
  EXPECT_EQ(overridden.max_features, 1);
  EXPECT_DOUBLE_EQ(overridden.min_importance, 0.6);

  ChexpertLabeler labeler;
  ExtractiveComposer composer(labeler);
  ReportGenerator generator(std::vector<float>{1.0f, 1.0f}, store, composer, recorded);
  const std::vector<int32_t> indices = {0, 1};
  // Importances 0.5 / 0.5: neither reaches 0.6 → the normal-study report.
  auto normal = generator.generate_from_row(indices, std::vector<float>{1.0f, 1.0f}, {"s1", "", ""});
  EXPECT_EQ(normal.report, "Normal chest.");
  ASSERT_EQ(normal.provenance.size(), 1u);
  EXPECT_TRUE(normal.provenance[0]["features"].empty());
  // 0.8 / 0.2: the effusion feature qualifies and writes the report.
  auto effusion = generator.generate_from_row(indices, std::vector<float>{4.0f, 1.0f}, {"s2", "", ""});
  EXPECT_NE(effusion.report.find("effusion"), std::string::npos) << effusion.report;
  EXPECT_EQ(effusion.provenance[0]["features"][0]["id"], 0);
}

}  // namespace
}  // namespace saerad
