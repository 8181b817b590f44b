#pragma once
// Streaming per-feature statistics over sparse activations (method.md §3): for every feature the top-k
// studies by activation (a study counts once), its firing density, mean and max activation, and a 32-bin
// histogram of log10(activation). One pass over the rows: O(N·L0·log k) work, O(m·(k + 32)) memory —
// never a dense N × m matrix.
//
//   TopActivations acc(d_sae, {.k = 10});
//   for each study s (each once): acc.add_study(s, indices, values);   // rows of one study merged first
//   acc.top(i)   → [(study, activation)] strongest first; acc.stats(i); acc.histogram(i)
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "interp/feature_store.hpp"

namespace saerad {

struct TopActivationOptions {
  int k = 10;
  double hist_log10_min = -3;  // histogram range of log10(activation); outside values go to the edge bins
  double hist_log10_max = 3;
};

struct TopEntry {
  int64_t study = 0;  // the caller's study index
  float activation = 0;
};

class TopActivations {
 public:
  TopActivations(int64_t d_sae, TopActivationOptions options = {});

  // One study's activations (indices ascending or not, each feature at most once). Each study must be
  // added at most once (merge its rows first with merge_rows_max); values <= 0 are ignored.
  void add_study(int64_t study, std::span<const int32_t> indices, std::span<const float> values);

  int64_t d_sae() const { return d_sae_; }
  int64_t studies() const { return studies_; }
  // Strongest first; ties broken by the lower study index.
  std::vector<TopEntry> top(int64_t feature) const;
  FeatureStats stats(int64_t feature) const;
  FeatureHistogram histogram(int64_t feature) const;
  const TopActivationOptions& options() const { return options_; }

 private:
  int64_t d_sae_;
  TopActivationOptions options_;
  int64_t studies_ = 0;
  std::vector<TopEntry> heaps_;      // [m, k] min-heaps (weakest at the front)
  std::vector<int32_t> heap_size_;   // [m]
  std::vector<int64_t> fires_;       // [m]
  std::vector<double> sum_;          // [m]
  std::vector<float> max_;           // [m]
  std::vector<int32_t> hist_;        // [m, 32]
};

// Rows of one study merged into one sparse row: a feature's value is its maximum over the rows.
// rows: (indices, values) pairs → out_indices ascending.
void merge_rows_max(const std::vector<std::pair<std::span<const int32_t>, std::span<const float>>>& rows,
                    std::vector<int32_t>& out_indices, std::vector<float>& out_values);

}  // namespace saerad
