#include "sae/optimizer.hpp"

#include <cmath>

namespace saerad {

double clip_global_norm(Params& grad, double max_norm) {
  double sq = 0;
  for (const auto& spec : grad.layout->specs()) {
    if (!spec.trainable) continue;
    const float* g = grad.data.data() + spec.offset;
    for (size_t k = 0; k < spec.size; ++k) sq += double(g[k]) * double(g[k]);
  }
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && norm > max_norm) {
    const float scale = float(max_norm / norm);
    for (const auto& spec : grad.layout->specs()) {
      if (!spec.trainable) continue;
      float* g = grad.data.data() + spec.offset;
      for (size_t k = 0; k < spec.size; ++k) g[k] *= scale;
    }
  }
  return norm;
}

void adam_step(Params& params, const Params& grad, AdamState& state, double lr, const AdamConfig& config) {
  state.t += 1;
  const float b1 = float(config.beta1), b2 = float(config.beta2);
  const double correction1 = 1.0 - std::pow(config.beta1, double(state.t));
  const double correction2 = 1.0 - std::pow(config.beta2, double(state.t));
  // p −= lr/c1 · m / (√(v/c2) + ε)  with the corrections folded into two scalars
  const float step = float(lr / correction1);
  const float inv_sqrt_c2 = float(1.0 / std::sqrt(correction2));
  const float eps = float(config.eps);
  for (const auto& spec : params.layout->specs()) {
    if (!spec.trainable) continue;
    float* p = params.data.data() + spec.offset;
    const float* g = grad.data.data() + spec.offset;
    float* m = state.m.data() + spec.offset;
    float* v = state.v.data() + spec.offset;
    for (size_t k = 0; k < spec.size; ++k) {
      m[k] = b1 * m[k] + (1.0f - b1) * g[k];
      v[k] = b2 * v[k] + (1.0f - b2) * g[k] * g[k];
      p[k] -= step * m[k] / (std::sqrt(v[k]) * inv_sqrt_c2 + eps);
    }
  }
}

}  // namespace saerad
