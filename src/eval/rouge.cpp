#include "eval/rouge.hpp"

#include <algorithm>

namespace saerad::eval {

uint32_t lcs_length(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.size() < b.size()) std::swap(a, b);  // the row holds the shorter sequence
  std::vector<uint32_t> row(b.size() + 1, 0);
  for (uint32_t x : a) {
    uint32_t diagonal = 0;  // row[j - 1] of the previous pass
    for (size_t j = 1; j <= b.size(); ++j) {
      const uint32_t above = row[j];
      row[j] = x == b[j - 1] ? diagonal + 1 : std::max(above, row[j - 1]);
      diagonal = above;
    }
  }
  return row[b.size()];
}

double rouge_l(std::span<const uint32_t> candidate, const std::vector<std::span<const uint32_t>>& references) {
  constexpr double beta = 1.2;
  double prec_max = 0, rec_max = 0;
  for (const auto& ref : references) {
    const double lcs = lcs_length(ref, candidate);
    // Python's split(" ") never yields an empty list, so the lengths are at least 1.
    prec_max = std::max(prec_max, lcs / static_cast<double>(candidate.size()));
    rec_max = std::max(rec_max, lcs / static_cast<double>(ref.size()));
  }
  if (prec_max == 0 || rec_max == 0) return 0.0;
  return ((1 + beta * beta) * prec_max * rec_max) / (rec_max + beta * beta * prec_max);
}

}  // namespace saerad::eval
