#include <gtest/gtest.h>

#include <numeric>

#include "core/threads.hpp"
#include "eval/bootstrap.hpp"

namespace saerad::eval {
namespace {

TEST(Bootstrap, PercentileInterpolatesLikeNumpy) {
  // numpy.percentile([1, 2, 3, 4], 2.5) = 1.075; 97.5 → 3.925.
  EXPECT_NEAR(percentile({4, 1, 3, 2}, 2.5), 1.075, 1e-12);
  EXPECT_NEAR(percentile({4, 1, 3, 2}, 97.5), 3.925, 1e-12);
  EXPECT_EQ(percentile({5}, 50), 5);
}

TEST(Bootstrap, ResamplesHaveNStudiesAndAreReproducible) {
  const auto a = resample_multiplicity(100, 7, 3);
  EXPECT_EQ(std::accumulate(a.begin(), a.end(), 0u), 100u);
  EXPECT_EQ(a, resample_multiplicity(100, 7, 3));
  EXPECT_NE(a, resample_multiplicity(100, 7, 4));
  EXPECT_NE(a, resample_multiplicity(100, 8, 3));
}

TEST(Bootstrap, IntervalOfAMeanCoversItAndIgnoresThreadCount) {
  std::vector<double> x(200);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 37) % 101);
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
  auto statistic = [&](std::span<const uint32_t> m) {
    double sum = 0;
    for (size_t i = 0; i < x.size(); ++i) sum += m[i] * x[i];
    return std::vector<double>{sum / x.size()};
  };
  set_thread_count(1);
  const auto one = bootstrap_ci95(x.size(), 300, 42, statistic);
  set_thread_count(2);
  const auto two = bootstrap_ci95(x.size(), 300, 42, statistic);
  set_thread_count(0);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], two[0]);
  EXPECT_LT(one[0][0], mean);
  EXPECT_GT(one[0][1], mean);
  // The standard error of the mean is about 29 / sqrt(200) ≈ 2.1, so the interval is roughly ±4.
  EXPECT_GT(one[0][1] - one[0][0], 4.0);
  EXPECT_LT(one[0][1] - one[0][0], 12.0);
}

}  // namespace
}  // namespace saerad::eval
