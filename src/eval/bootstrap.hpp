#pragma once
// Percentile bootstrap: resample the n studies with replacement B times and recompute every corpus
// statistic on each resample (the statistic sees a multiplicity per study, so corpus-level quantities such
// as CIDEr-D's document frequencies are recomputed too). Resample b draws from Rng(seed).split(b), so the
// intervals do not depend on the thread count.
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace saerad::eval {

// statistic(multiplicity) → one value per statistic, always the same count and order. Called concurrently.
using ResampleStatistic = std::function<std::vector<double>(std::span<const uint32_t> multiplicity)>;

// Returns [2.5th, 97.5th] percentiles (numpy's default linear interpolation) per statistic.
std::vector<std::array<double, 2>> bootstrap_ci95(size_t n, int resamples, uint64_t seed,
                                                  const ResampleStatistic& statistic);

std::vector<uint32_t> resample_multiplicity(size_t n, uint64_t seed, uint64_t resample);
double percentile(std::vector<double> values, double q);  // q in [0, 100], linear interpolation

}  // namespace saerad::eval
