#include "eval/cider.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace saerad::eval {
namespace {

// tf-idf vector of one text (values parallel to its grams), the norm per order and the bigram count.
struct TfIdf {
  std::vector<double> values;
  std::array<double, kMaxNgram> norm{};
  double length = 0;
};

void tf_idf(const NgramCounts& text, const std::vector<uint32_t>& df, const std::vector<double>& log_df,
            double ref_len, TfIdf& out) {
  out.values.resize(text.grams.size());
  out.norm.fill(0.0);
  out.length = 0;
  for (int n = 1; n <= kMaxNgram; ++n) {
    double norm = 0;
    for (uint32_t i = text.begin[n - 1]; i < text.begin[n]; ++i) {
      const auto& g = text.grams[i];
      const double v = static_cast<double>(g.count) * (ref_len - log_df[df[g.id]]);
      out.values[i] = v;
      norm += v * v;
      if (n == 2) out.length += g.count;
    }
    out.norm[n - 1] = std::sqrt(norm);
  }
}

// Clipped cosine similarity per order with the length penalty (pycocoevalcap's sim()).
std::array<double, kMaxNgram> similarity(const NgramCounts& hyp, const TfIdf& vh, const NgramCounts& ref,
                                         const TfIdf& vr) {
  const double delta = vh.length - vr.length;
  const double penalty = std::pow(std::numbers::e, -(delta * delta) / (2 * kCiderSigma * kCiderSigma));
  std::array<double, kMaxNgram> val{};
  for (int n = 1; n <= kMaxNgram; ++n) {
    double dot = 0;
    uint32_t j = ref.begin[n - 1];
    const uint32_t j_end = ref.begin[n];
    for (uint32_t i = hyp.begin[n - 1]; i < hyp.begin[n]; ++i) {
      const uint32_t id = hyp.grams[i].id;
      while (j < j_end && ref.grams[j].id < id) ++j;
      if (j < j_end && ref.grams[j].id == id) dot += std::min(vh.values[i], vr.values[j]) * vr.values[j];
    }
    if (vh.norm[n - 1] != 0 && vr.norm[n - 1] != 0) dot /= vh.norm[n - 1] * vr.norm[n - 1];
    val[n - 1] = dot * penalty;
  }
  return val;
}

}  // namespace

std::vector<double> cider_d(std::span<const PairNgrams> pairs, uint32_t ngram_count,
                            std::span<const uint32_t> multiplicity) {
  auto weight = [&](size_t i) -> uint32_t { return multiplicity.empty() ? 1 : multiplicity[i]; };
  // Document frequency over the sample: each study counts once per distinct n-gram of its references.
  std::vector<uint32_t> df(ngram_count, 0);
  std::vector<uint32_t> seen_in(ngram_count, UINT32_MAX);
  uint64_t documents = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const uint32_t w = weight(i);
    if (w == 0) continue;
    documents += w;
    for (const auto& ref : pairs[i].references)
      for (const auto& g : ref.grams)
        if (seen_in[g.id] != i) {
          seen_in[g.id] = static_cast<uint32_t>(i);
          df[g.id] += w;
        }
  }
  // log max(1, df) for every possible df value (df ≤ documents).
  std::vector<double> log_df(documents + 1);
  for (uint64_t k = 0; k <= documents; ++k) log_df[k] = std::log(std::max(1.0, static_cast<double>(k)));
  const double ref_len = std::log(static_cast<double>(documents));

  std::vector<double> scores(pairs.size(), 0.0);
  TfIdf vh, vr;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (weight(i) == 0) continue;
    const auto& pair = pairs[i];
    tf_idf(pair.hypothesis, df, log_df, ref_len, vh);
    std::array<double, kMaxNgram> sum{};
    for (const auto& ref : pair.references) {
      tf_idf(ref, df, log_df, ref_len, vr);
      const auto val = similarity(pair.hypothesis, vh, ref, vr);
      for (int n = 0; n < kMaxNgram; ++n) sum[n] += val[n];
    }
    double mean = 0;
    for (double v : sum) mean += v;
    mean /= kMaxNgram;
    if (!pair.references.empty()) mean /= static_cast<double>(pair.references.size());
    scores[i] = mean * 10.0;
  }
  return scores;
}

}  // namespace saerad::eval
