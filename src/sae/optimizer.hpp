#pragma once
// Dense, exact Adam over the flat parameter buffer (every trainable element, every step) and global-norm
// gradient clipping — one pass each over contiguous arrays.
#include <cstdint>
#include <vector>

#include "sae/params.hpp"

namespace saerad {

struct AdamConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct AdamState {
  std::vector<float> m, v;  // first and second moments, the layout of the parameters
  int64_t t = 0;            // steps taken (bias correction)
  void reset(size_t size) {
    m.assign(size, 0.0f);
    v.assign(size, 0.0f);
    t = 0;
  }
};

// ‖grad‖ over the trainable tensors; when it exceeds max_norm (> 0), scales them by max_norm / ‖grad‖.
// Returns the norm before clipping.
double clip_global_norm(Params& grad, double max_norm);

// One bias-corrected Adam step on the trainable tensors: p −= lr · m̂ / (√v̂ + ε).
void adam_step(Params& params, const Params& grad, AdamState& state, double lr, const AdamConfig& config);

}  // namespace saerad
