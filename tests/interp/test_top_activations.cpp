#include "interp/top_activations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "interp/label_enrichment.hpp"

namespace saerad {
namespace {

// Brute force over a dense copy (fine at test size): every feature's studies sorted by activation
// descending, ties by study index.
TEST(TopActivations, EqualsBruteForceWithTiesAndMultiImageStudies) {
  const int64_t m = 37, studies = 400, k = 7;
  Rng rng(11);
  // Two rows for some studies (multi-image): a study's activation is the max over its rows.
  std::vector<std::vector<float>> dense(size_t(studies), std::vector<float>(size_t(m), 0.0f));
  TopActivations acc(m, {.k = int(k)});
  for (int64_t s = 0; s < studies; ++s) {
    const int rows = 1 + int(rng.below(2));
    std::vector<std::vector<int32_t>> idx(static_cast<size_t>(rows));
    std::vector<std::vector<float>> val(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r)
      for (int32_t f = 0; f < m; ++f)
        if (rng.bernoulli(0.15)) {
          // Quantised values make ties common.
          const float v = float(1 + rng.below(6)) * 0.5f;
          idx[size_t(r)].push_back(f);
          val[size_t(r)].push_back(v);
          dense[size_t(s)][size_t(f)] = std::max(dense[size_t(s)][size_t(f)], v);
        }
    std::vector<std::pair<std::span<const int32_t>, std::span<const float>>> parts;
    for (int r = 0; r < rows; ++r) parts.emplace_back(idx[size_t(r)], val[size_t(r)]);
    std::vector<int32_t> mi;
    std::vector<float> mv;
    merge_rows_max(parts, mi, mv);
    ASSERT_TRUE(std::is_sorted(mi.begin(), mi.end()));
    acc.add_study(s, mi, mv);
  }
  EXPECT_EQ(acc.studies(), studies);
  for (int64_t f = 0; f < m; ++f) {
    std::vector<TopEntry> expected;
    double sum = 0;
    int64_t fires = 0;
    float max = 0;
    for (int64_t s = 0; s < studies; ++s) {
      const float v = dense[size_t(s)][size_t(f)];
      if (v > 0) {
        expected.push_back({s, v});
        sum += v;
        ++fires;
        max = std::max(max, v);
      }
    }
    std::stable_sort(expected.begin(), expected.end(),
                     [](const TopEntry& a, const TopEntry& b) { return a.activation > b.activation; });
    expected.resize(std::min<size_t>(expected.size(), size_t(k)));
    auto got = acc.top(f);
    ASSERT_EQ(got.size(), expected.size()) << "feature " << f;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].study, expected[i].study) << "feature " << f << " rank " << i;
      EXPECT_EQ(got[i].activation, expected[i].activation);
    }
    // A study counts once: no duplicates among the examples.
    for (size_t i = 0; i < got.size(); ++i)
      for (size_t j = i + 1; j < got.size(); ++j) EXPECT_NE(got[i].study, got[j].study);
    auto stats = acc.stats(f);
    EXPECT_DOUBLE_EQ(stats.density, double(fires) / double(studies));
    EXPECT_NEAR(stats.mean_activation, fires ? sum / double(fires) : 0.0, 1e-12);
    EXPECT_EQ(stats.max_activation, max);
    auto h = acc.histogram(f);
    int64_t total = 0;
    for (auto c : h.counts) total += c;
    EXPECT_EQ(total, fires);
  }
}

TEST(TopActivations, HistogramBinsLog10AndClampsTheEdges) {
  TopActivations acc(1, {.k = 2, .hist_log10_min = -2, .hist_log10_max = 2});  // bin width 0.125
  const int32_t f = 0;
  for (float v : {1.0f, 1.2f, 1e-6f, 1e6f, 10.0f}) acc.add_study(0, std::span(&f, 1), std::span(&v, 1));
  auto h = acc.histogram(0);
  ASSERT_EQ(h.counts.size(), size_t(kHistogramBins));
  EXPECT_EQ(h.counts[16], 2);  // log10 1 = 0 and log10 1.2 = 0.079 → [0, 0.125)
  EXPECT_EQ(h.counts[24], 1);  // log10 10 = 1 → bin 24
  EXPECT_EQ(h.counts[0], 1);   // below the range
  EXPECT_EQ(h.counts[31], 1);  // above the range
}

TEST(LabelEnrichment, LogOddsAgainstBaseRate) {
  std::vector<ChexpertLabels> labels(100);
  const size_t effusion = *observation_index("Pleural Effusion");
  for (int s = 0; s < 10; ++s) labels[size_t(s)][effusion] = 1;   // 10% base rate
  for (int s = 10; s < 20; ++s) labels[size_t(s)][effusion] = -1;  // uncertain does not count
  auto table = make_label_table(labels);
  EXPECT_DOUBLE_EQ(table.base_rate[effusion], 0.1);
  std::vector<int64_t> top = {0, 1, 2, 3, 4, 5, 6, 7, 50, 60};  // 8 of 10
  auto e = label_enrichment(table, top);
  ASSERT_EQ(e.size(), kNumObservations);
  EXPECT_EQ(e[effusion].top_count, 8);
  EXPECT_DOUBLE_EQ(e[effusion].top_rate, 0.8);
  EXPECT_NEAR(e[effusion].log_odds, std::log(8.5 / 2.5) - std::log(10.5 / 90.5), 1e-12);
  const size_t edema = *observation_index("Edema");
  EXPECT_NEAR(e[edema].log_odds, std::log(0.5 / 10.5) - std::log(0.5 / 100.5), 1e-12);
}

}  // namespace
}  // namespace saerad
