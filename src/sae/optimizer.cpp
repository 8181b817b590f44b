#include "sae/optimizer.hpp"

#include <algorithm>
#include <cmath>

namespace saerad {

namespace {

// Blocks of the clip norm's sum: fixed, so the total (block partials added in order) does not depend on the
// thread count.
constexpr size_t kNormBlock = size_t(1) << 15;

}  // namespace

double clip_global_norm(Params& grad, double max_norm) {
  thread_local std::vector<double> partial;  // per block; kept between calls (no allocation per step)
  double sq = 0;
  for (const auto& spec : grad.layout->specs()) {
    if (!spec.trainable) continue;
    const float* g = grad.data.data() + spec.offset;
    const auto blocks = int64_t((spec.size + kNormBlock - 1) / kNormBlock);
    if (partial.size() < size_t(blocks)) partial.resize(size_t(blocks));
    double* block_sums = partial.data();  // the calling thread's buffer (the workers' thread_local copies are empty)
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < blocks; ++k) {
      const size_t begin = size_t(k) * kNormBlock, end = std::min(spec.size, begin + kNormBlock);
      double lanes[8] = {};  // independent chains: the block's sum is not one serial dependency
      size_t j = begin;
      for (; j + 8 <= end; j += 8)
        for (int l = 0; l < 8; ++l) lanes[l] += double(g[j + l]) * double(g[j + l]);
      for (; j < end; ++j) lanes[0] += double(g[j]) * double(g[j]);
      double s = 0;
      for (double v : lanes) s += v;
      block_sums[k] = s;
    }
    for (int64_t k = 0; k < blocks; ++k) sq += partial[size_t(k)];
  }
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && norm > max_norm) {
    const float scale = float(max_norm / norm);
    for (const auto& spec : grad.layout->specs()) {
      if (!spec.trainable) continue;
      float* g = grad.data.data() + spec.offset;
      const auto n = int64_t(spec.size);
#pragma omp parallel for simd schedule(static)
      for (int64_t k = 0; k < n; ++k) g[k] *= scale;
    }
  }
  return norm;
}

namespace {

// Adam on n contiguous elements. (This file is compiled with -fno-math-errno, see CMakeLists.txt: v ≥ 0, so sqrt
// never sets errno, and without that flag the compiler would not vectorise the loop.)
void adam_range(float* __restrict p, const float* __restrict g,
                                                           float* __restrict m, float* __restrict v, int64_t n, float b1,
                                                           float b2, float step, float inv_sqrt_c2, float eps) {
  for (int64_t k = 0; k < n; ++k) {
    m[k] = b1 * m[k] + (1.0f - b1) * g[k];
    v[k] = b2 * v[k] + (1.0f - b2) * g[k] * g[k];
    p[k] -= step * m[k] / (std::sqrt(v[k]) * inv_sqrt_c2 + eps);
  }
}

}  // namespace

// One fused pass per tensor (moments and parameter together), vectorised and split over threads in chunks; each
// element's arithmetic is the same whatever the split, so the result does not depend on the thread count.
void adam_step(Params& params, const Params& grad, AdamState& state, double lr, const AdamConfig& config) {
  state.t += 1;
  const float b1 = float(config.beta1), b2 = float(config.beta2);
  const double correction1 = 1.0 - std::pow(config.beta1, double(state.t));
  const double correction2 = 1.0 - std::pow(config.beta2, double(state.t));
  // p −= lr/c1 · m / (√(v/c2) + ε)  with the corrections folded into two scalars
  const float step = float(lr / correction1);
  const float inv_sqrt_c2 = float(1.0 / std::sqrt(correction2));
  const float eps = float(config.eps);
  constexpr int64_t kChunk = 1 << 14;
  for (const auto& spec : params.layout->specs()) {
    if (!spec.trainable) continue;
    const size_t o = spec.offset;
    const auto n = int64_t(spec.size);
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < n; c += kChunk)
      adam_range(params.data.data() + o + c, grad.data.data() + o + c, state.m.data() + o + c, state.v.data() + o + c,
                 std::min(kChunk, n - c), b1, b2, step, inv_sqrt_c2, eps);
  }
}

}  // namespace saerad
