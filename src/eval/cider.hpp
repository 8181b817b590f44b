#pragma once
// CIDEr-D exactly as pycocoevalcap's CiderScorer computes it: tf-idf vectors of 1..4-grams with document
// frequencies counted over the evaluated references (idf = log N − log max(1, df)), the hypothesis weights
// clipped at the reference's, cosine similarity per order, a Gaussian length penalty
// exp(−Δ²/(2σ²)) with σ = 6, the mean over the four orders and the references, ×10.
// pycocoevalcap's length Δ is the difference in bigram counts (its counts2vec counts n == 1, the
// 0-based order of bigrams); we keep that so that scores agree.
#include <cstdint>
#include <span>
#include <vector>

#include "eval/ngrams.hpp"

namespace saerad::eval {

inline constexpr double kCiderSigma = 6.0;

// Per-study CIDEr-D. `multiplicity[i]` is how often study i is in the evaluated sample (a bootstrap
// resample); empty means once each. The document frequencies and N are those of the sample, and studies
// with multiplicity 0 get score 0 (they are not in it). `ngram_count`: size of the NgramIndex.
std::vector<double> cider_d(std::span<const PairNgrams> pairs, uint32_t ngram_count,
                            std::span<const uint32_t> multiplicity = {});

}  // namespace saerad::eval
