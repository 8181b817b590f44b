#pragma once
// The data side of training: validation, the seeded train/held-out split, the input scale (mean ‖x‖ = √d),
// the initial b_dec, and the dataset fingerprint.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/embeddings.hpp"

namespace saerad {

struct TrainingSplit {
  std::vector<int64_t> train, holdout;  // row indices, ascending
};

// Errors: fewer than 2 rows, d = 0, or a non-finite value (naming the row and id). The held-out part is
// round(holdout · N) rows (at least 1 when holdout > 0), chosen by a seeded shuffle; at least 1 row trains.
TrainingSplit prepare_training_split(const Embeddings& data, double holdout, uint64_t seed);

// √d / mean over `rows` of ‖x‖ (error when that mean is 0).
double input_scale_to_sqrt_d(const MatrixF32& data, std::span<const int64_t> rows);

// b_dec at init in training units ([d]): "zero", "mean", or "geometric-median" (Weiszfeld iterations).
std::vector<float> initial_b_dec(const std::string& mode, const MatrixF32& data, std::span<const int64_t> rows, double scale);

// sha256-based fingerprint of the embedding values and shape.
std::string fingerprint_embeddings(const Embeddings& data);

}  // namespace saerad
