#include "eval/bleu.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace saerad::eval {

BleuStats& BleuStats::operator+=(const BleuStats& other) {
  test_length += other.test_length;
  reference_length += other.reference_length;
  for (int k = 0; k < kMaxNgram; ++k) {
    guess[k] += other.guess[k];
    correct[k] += other.correct[k];
  }
  return *this;
}

BleuStats bleu_stats(const NgramCounts& hypothesis, std::span<const NgramCounts> references) {
  BleuStats stats;
  const double test_length = hypothesis.tokens;
  stats.test_length = test_length;
  // Closest reference length: min over (|len - test|, len), as Python's tuple comparison orders them.
  bool first = true;
  for (const auto& ref : references) {
    const double len = ref.tokens;
    const double best = stats.reference_length;
    if (first || std::abs(len - test_length) < std::abs(best - test_length) ||
        (std::abs(len - test_length) == std::abs(best - test_length) && len < best))
      stats.reference_length = len;
    first = false;
  }
  for (int n = 1; n <= kMaxNgram; ++n) {
    stats.guess[n - 1] = std::max(0.0, test_length - n + 1);
    const auto hyp = hypothesis.order(n);
    double correct = 0;
    if (references.size() == 1) {  // the common case: a merge of two sorted lists
      const auto ref = references[0].order(n);
      size_t j = 0;
      for (const auto& g : hyp) {
        while (j < ref.size() && ref[j].id < g.id) ++j;
        if (j < ref.size() && ref[j].id == g.id) correct += std::min(g.count, ref[j].count);
      }
    } else {  // max count of each n-gram over the references, then clip
      std::unordered_map<uint32_t, uint32_t> max_counts;
      for (const auto& r : references)
        for (const auto& g : r.order(n)) max_counts[g.id] = std::max(max_counts[g.id], g.count);
      for (const auto& g : hyp) {
        auto it = max_counts.find(g.id);
        if (it != max_counts.end()) correct += std::min(g.count, it->second);
      }
    }
    stats.correct[n - 1] = correct;
  }
  return stats;
}

std::array<double, kMaxNgram> bleu_scores(const BleuStats& stats) {
  constexpr double small = 1e-9, tiny = 1e-15;
  std::array<double, kMaxNgram> bleus{};
  double bleu = 1.0;
  for (int k = 0; k < kMaxNgram; ++k) {
    bleu *= (stats.correct[k] + tiny) / (stats.guess[k] + small);
    bleus[k] = std::pow(bleu, 1.0 / (k + 1));
  }
  const double ratio = (stats.test_length + tiny) / (stats.reference_length + small);
  if (ratio < 1)
    for (auto& b : bleus) b *= std::exp(1 - 1 / ratio);
  return bleus;
}

}  // namespace saerad::eval
