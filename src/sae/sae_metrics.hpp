#pragma once
// The quality measures of docs/method.md §2, defined once: L0, explained variance (1 − FVU), MSE, feature
// densities (dead / dense fractions, log10 firing-rate histogram).
#include <cstdint>
#include <span>
#include <vector>

#include "core/json_io.hpp"
#include "core/tensor.hpp"
#include "sae/architecture.hpp"

namespace saerad {

struct SaeEvaluation {
  int64_t rows = 0;
  double l0 = 0;                  // mean active latents per row
  double explained_variance = 0;  // 1 − Σ‖x − x̂‖² / Σ‖x − mean(x)‖²
  double mse = 0;                 // mean ‖x − x̂‖² in raw embedding units
  std::vector<int64_t> fire_counts;  // [m] rows on which each latent was active
};

// Encodes data rows `rows` (scaled by input_scale, i.e. in training units) with the architecture's inference
// encoder in chunks, decodes, and measures. Memory: one chunk of [≤256, m].
SaeEvaluation evaluate_sae(const Architecture& arch, const ArchConfig& config, const Params& params,
                           const MatrixF32& data, std::span<const int64_t> rows, double input_scale);

// log10(firing rate + 1e-10) per latent (the `sparsity` tensor of formats.md).
std::vector<float> log10_feature_density(std::span<const int64_t> fire_counts, int64_t rows);

// dense_fraction (rate > 0.1), never-fired fraction and a histogram of log10 density (bins of 1 decade, -10..0).
Json density_summary(std::span<const float> log10_density);

}  // namespace saerad
