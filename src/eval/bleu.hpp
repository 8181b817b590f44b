#pragma once
// BLEU-1..4 exactly as pycocoevalcap's BleuScorer computes them (option "closest"): clipped n-gram counts
// against the reference, the closest reference length (ties → the shorter), corpus BLEU from the summed
// counts, and its smoothing constants (tiny = 1e-15 added to matches, small = 1e-9 to guesses and to the
// reference length).
#include <array>
#include <span>

#include "eval/ngrams.hpp"

namespace saerad::eval {

// The sufficient statistics of one (hypothesis, references) pair; they add up over a corpus.
struct BleuStats {
  double test_length = 0, reference_length = 0;
  std::array<double, kMaxNgram> guess{}, correct{};
  BleuStats& operator+=(const BleuStats& other);
};

BleuStats bleu_stats(const NgramCounts& hypothesis, std::span<const NgramCounts> references);
std::array<double, kMaxNgram> bleu_scores(const BleuStats& stats);  // corpus (summed) or one sentence

}  // namespace saerad::eval
