#include "interp/top_activations.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace saerad {
namespace {

// Heap order: the "greater" entry is the stronger one; among equal activations the lower study index wins.
bool stronger(const TopEntry& a, const TopEntry& b) {
  return a.activation != b.activation ? a.activation > b.activation : a.study < b.study;
}

}  // namespace

TopActivations::TopActivations(int64_t d_sae, TopActivationOptions options) : d_sae_(d_sae), options_(options) {
  if (d_sae <= 0) fail("TopActivations: d_sae must be positive (got {})", d_sae);
  if (options.k <= 0) fail_input("--top-k must be positive (got {})", options.k);
  if (!(options.hist_log10_max > options.hist_log10_min)) fail("TopActivations: empty histogram range");
  heaps_.resize(size_t(d_sae) * size_t(options.k));
  heap_size_.assign(size_t(d_sae), 0);
  fires_.assign(size_t(d_sae), 0);
  sum_.assign(size_t(d_sae), 0.0);
  max_.assign(size_t(d_sae), 0.0f);
  hist_.assign(size_t(d_sae) * kHistogramBins, 0);
}

void TopActivations::add_study(int64_t study, std::span<const int32_t> indices, std::span<const float> values) {
  ++studies_;
  const size_t k = size_t(options_.k);
  const double bin_width = (options_.hist_log10_max - options_.hist_log10_min) / kHistogramBins;
  // Min-heap with `stronger` as the comparator keeps the weakest kept entry at the front.
  auto weaker_first = [](const TopEntry& a, const TopEntry& b) { return stronger(a, b); };
  for (size_t j = 0; j < indices.size(); ++j) {
    const float v = values[j];
    if (!(v > 0)) continue;
    const int64_t f = indices[j];
    if (f < 0 || f >= d_sae_) fail("TopActivations: feature index {} out of range [0, {})", f, d_sae_);
    ++fires_[size_t(f)];
    sum_[size_t(f)] += v;
    max_[size_t(f)] = std::max(max_[size_t(f)], v);
    const int bin = int(std::floor((std::log10(double(v)) - options_.hist_log10_min) / bin_width));
    ++hist_[size_t(f) * kHistogramBins + size_t(std::clamp(bin, 0, kHistogramBins - 1))];

    TopEntry* heap = heaps_.data() + size_t(f) * k;
    int32_t& size = heap_size_[size_t(f)];
    const TopEntry entry{study, v};
    if (size_t(size) < k) {
      heap[size++] = entry;
      std::push_heap(heap, heap + size, weaker_first);
    } else if (stronger(entry, heap[0])) {
      std::pop_heap(heap, heap + size, weaker_first);
      heap[size - 1] = entry;
      std::push_heap(heap, heap + size, weaker_first);
    }
  }
}

std::vector<TopEntry> TopActivations::top(int64_t feature) const {
  const TopEntry* heap = heaps_.data() + size_t(feature) * size_t(options_.k);
  std::vector<TopEntry> out(heap, heap + heap_size_[size_t(feature)]);
  std::sort(out.begin(), out.end(), stronger);
  return out;
}

FeatureStats TopActivations::stats(int64_t feature) const {
  const auto f = size_t(feature);
  FeatureStats s;
  s.id = feature;
  s.density = studies_ > 0 ? double(fires_[f]) / double(studies_) : 0.0;
  s.mean_activation = fires_[f] > 0 ? sum_[f] / double(fires_[f]) : 0.0;
  s.max_activation = max_[f];
  return s;
}

FeatureHistogram TopActivations::histogram(int64_t feature) const {
  FeatureHistogram h;
  h.log10_min = options_.hist_log10_min;
  h.log10_max = options_.hist_log10_max;
  const int32_t* counts = hist_.data() + size_t(feature) * kHistogramBins;
  h.counts.assign(counts, counts + kHistogramBins);
  return h;
}

void merge_rows_max(const std::vector<std::pair<std::span<const int32_t>, std::span<const float>>>& rows,
                    std::vector<int32_t>& out_indices, std::vector<float>& out_values) {
  out_indices.clear();
  out_values.clear();
  if (rows.size() == 1) {
    out_indices.assign(rows[0].first.begin(), rows[0].first.end());
    out_values.assign(rows[0].second.begin(), rows[0].second.end());
    return;
  }
  std::vector<std::pair<int32_t, float>> all;
  for (const auto& [indices, values] : rows)
    for (size_t j = 0; j < indices.size(); ++j) all.emplace_back(indices[j], values[j]);
  std::sort(all.begin(), all.end());
  for (const auto& [index, value] : all) {
    if (!out_indices.empty() && out_indices.back() == index)
      out_values.back() = std::max(out_values.back(), value);
    else {
      out_indices.push_back(index);
      out_values.push_back(value);
    }
  }
}

}  // namespace saerad
