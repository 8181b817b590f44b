#include "eval/bootstrap.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/threads.hpp"

namespace saerad::eval {

std::vector<uint32_t> resample_multiplicity(size_t n, uint64_t seed, uint64_t resample) {
  Rng rng = Rng(seed).split(resample);
  std::vector<uint32_t> multiplicity(n, 0);
  for (size_t k = 0; k < n; ++k) ++multiplicity[rng.below(n)];
  return multiplicity;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::vector<std::array<double, 2>> bootstrap_ci95(size_t n, int resamples, uint64_t seed,
                                                  const ResampleStatistic& statistic) {
  if (resamples <= 0 || n == 0) return {};
  std::vector<std::vector<double>> results(static_cast<size_t>(resamples));
  Progress progress("bootstrap", resamples, "resamples");
#pragma omp parallel for schedule(dynamic) num_threads(thread_count())
  for (int b = 0; b < resamples; ++b) {
    results[b] = statistic(resample_multiplicity(n, seed, static_cast<uint64_t>(b)));
    progress.advance();
  }
  progress.finish();
  const size_t stats = results[0].size();
  std::vector<std::array<double, 2>> ci(stats);
  std::vector<double> column(static_cast<size_t>(resamples));
  for (size_t s = 0; s < stats; ++s) {
    for (int b = 0; b < resamples; ++b) {
      if (results[b].size() != stats) fail("bootstrap: statistic returned {} values, expected {}", results[b].size(), stats);
      column[b] = results[b][s];
    }
    ci[s] = {percentile(column, 2.5), percentile(column, 97.5)};
  }
  return ci;
}

}  // namespace saerad::eval
