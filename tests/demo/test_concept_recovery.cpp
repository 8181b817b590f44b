// Concept recovery on constructed activations whose answer is known, and the page's link extraction.
#include <gtest/gtest.h>

#include <cmath>

#include "demo/concept_recovery.hpp"
#include "demo/demo_page.hpp"

namespace saerad::demo {
namespace {

// 40 studies: feature 2 fires exactly on concept 0's positives (even rows); feature 5 fires on every row
// with value = row (uninformative for concept 0, perfectly ordered for concept 1 = rows ≥ 20).
struct Fixture {
  SparseActivations acts;
  std::vector<std::vector<uint8_t>> labels;
  std::vector<int64_t> train, test;
  Fixture() {
    acts.d_sae = 8;
    for (int r = 0; r < 40; ++r) {
      std::vector<int32_t> idx;
      std::vector<float> val;
      if (r % 2 == 0) {
        idx.push_back(2);
        val.push_back(1.0f + 0.01f * float(r));
      }
      idx.push_back(5);
      val.push_back(float(r + 1));
      acts.append_row(idx, val);
      labels.push_back({uint8_t(r % 2 == 0), uint8_t(r >= 20), 0});
      (r % 4 == 3 ? test : train).push_back(r);
    }
  }
};

TEST(ConceptRecovery, PicksTheSeparatingFeatureOnTrainAndScoresItOnTest) {
  Fixture fx;
  const auto results = recover_concepts(fx.acts, fx.labels, {"a", "b", "never"}, fx.train, fx.test, 3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].feature, 2);
  EXPECT_DOUBLE_EQ(results[0].train_auroc, 1.0);
  // Test rows are r ≡ 3 (mod 4): all odd, so concept "a" has no test positives → undefined AUROC.
  EXPECT_TRUE(std::isnan(results[0].test_auroc));
  EXPECT_EQ(results[1].feature, 5);
  EXPECT_DOUBLE_EQ(results[1].train_auroc, 1.0);
  EXPECT_DOUBLE_EQ(results[1].test_auroc, 1.0);
  EXPECT_EQ(results[1].test_positives, 5);
  EXPECT_EQ(results[2].feature, -1);  // no positives: no feature separates anything
  EXPECT_TRUE(std::isnan(results[2].test_auroc));

  const Json j = concept_recovery_json(results);
  EXPECT_TRUE(j["a"].is_null());
  EXPECT_DOUBLE_EQ(j["b"].get<double>(), 1.0);
  EXPECT_TRUE(j.contains("mean"));
}

TEST(ConceptRecovery, MinFiresExcludesRareFeatures) {
  Fixture fx;
  const auto results = recover_concepts(fx.acts, fx.labels, {"a"}, fx.train, fx.test, 100);
  EXPECT_EQ(results[0].feature, -1);
}

TEST(DemoPage, LinksAreExtractedExceptAnchors) {
  const auto links = page_links(R"(<a href="#x">x</a><img src="cohort/a.png"><a href="m.json">m</a><a href="">e</a>)");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0], "cohort/a.png");
  EXPECT_EQ(links[1], "m.json");
}

}  // namespace
}  // namespace saerad::demo
