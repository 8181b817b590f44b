#include "core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace saerad {

double auroc(std::span<const double> scores, std::span<const uint8_t> labels) {
  if (scores.size() != labels.size()) fail("auroc: {} scores but {} labels", scores.size(), labels.size());
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Sum of the positives' ranks (1-based, ties averaged).
  double rank_sum = 0.0;
  size_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = 0.5 * double(i + 1 + j);
    for (size_t k = i; k < j; ++k)
      if (labels[order[k]]) {
        rank_sum += average_rank;
        ++positives;
      }
    i = j;
  }
  const size_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) return NAN;
  return (rank_sum - double(positives) * double(positives + 1) / 2.0) / (double(positives) * double(negatives));
}

}  // namespace saerad
