// Transformer kernels (see transformer_kernels.hpp). Row kernels are compiled three times by target_clones (AVX-512, AVX2+FMA,
// baseline) and dispatched at load time; the loops are written branch-free so every clone vectorises.
#include "nn/transformer_kernels.hpp"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "core/threads.hpp"

extern "C" void openblas_set_num_threads(int);

#define SAERAD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

namespace saerad::nn {
namespace {

// e^x for x ≤ 88 (Cephes polynomial on [−ln2/2, ln2/2], 2^n by exponent bits); x < −87 flushes to ~0.
inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  constexpr float kMagic = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer held in the low bits
  const float shifted = x * 1.44269504088896341f + kMagic;
  const float n = shifted - kMagic;
  const int32_t exponent = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(kMagic);
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * std::bit_cast<float>((exponent + 127) << 23);
}

// erf(x), |error| ≤ 1.5e-7 (A&S 7.1.26).
inline float erf_approx(float x) {
  const float ax = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * ax);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float y = 1.0f - p * t * exp_approx(-ax * ax);
  return std::copysign(y, x);
}

SAERAD_CLONES void gelu_span(float* x, int64_t n) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + erf_approx(x[i] * kInvSqrt2));
}

SAERAD_CLONES void softmax_row(float* x, int64_t n) {
  float max = x[0];
#pragma omp simd reduction(max : max)
  for (int64_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) {
    x[i] = exp_approx(x[i] - max);
    sum += x[i];
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

SAERAD_CLONES void layer_norm_row(const float* x, float* y, const float* weight, const float* bias, int64_t d, float eps) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < d; ++i) sum += x[i];
  const float mean = sum / float(d);
  float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
  for (int64_t i = 0; i < d; ++i) squares += (x[i] - mean) * (x[i] - mean);
  const float rstd = 1.0f / std::sqrt(squares / float(d) + eps);
#pragma omp simd
  for (int64_t i = 0; i < d; ++i) y[i] = (x[i] - mean) * rstd * weight[i] + bias[i];
}

SAERAD_CLONES void add_scaled_row(float* y, const float* x, const float* scale, int64_t d) {
#pragma omp simd
  for (int64_t i = 0; i < d; ++i) y[i] += scale[i] * x[i];
}

// The four torch bicubic weights for fractional offset t (A = −0.75), and their clamped source indices.
void cubic_taps(int64_t out_index, int64_t in_size, int64_t out_size, int64_t index[4], float weight[4]) {
  constexpr float A = -0.75f;
  const float scale = float(in_size) / float(out_size);
  const float real = scale * (float(out_index) + 0.5f) - 0.5f;
  const int64_t base = std::min(int64_t(std::floor(real)), in_size - 1);
  const float t = std::min(std::max(real - float(base), 0.0f), 1.0f);
  auto near = [](float x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };      // |x| ≤ 1
  auto far = [](float x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };  // 1 < |x| < 2
  weight[0] = far(t + 1.0f);
  weight[1] = near(t);
  weight[2] = near(1.0f - t);
  weight[3] = far(2.0f - t);
  for (int j = 0; j < 4; ++j) index[j] = std::clamp(base - 1 + j, int64_t{0}, in_size - 1);
}

}  // namespace

float reference_gelu(float x) { return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f))); }

void layer_norm(const float* x, float* y, const float* weight, const float* bias, int64_t rows, int64_t d, float eps) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) layer_norm_row(x + r * d, y + r * d, weight, bias, d, eps);
}

void gelu_erf(float* x, int64_t n) {
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) gelu_span(x + c * kChunk, std::min(kChunk, n - c * kChunk));
}

void softmax_rows(float* x, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) softmax_row(x + r * cols, cols);
}

void linear(const float* x, const float* weight, const float* bias, float* y, int64_t m, int64_t n, int64_t k) {
  float beta = 0.0f;
  if (bias) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) std::copy(bias, bias + n, y + r * n);
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, x, int(k), weight, int(k), beta,
              y, int(n));
}

void add_scaled_rows(float* y, const float* x, const float* scale, int64_t rows, int64_t d) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) add_scaled_row(y + r * d, x + r * d, scale, d);
}

void attention(const float* qkv, float* context, int64_t batch, int64_t tokens, int64_t heads, int64_t head_dim) {
  const int64_t d = heads * head_dim, stride = 3 * d;
  const float scale = 1.0f / std::sqrt(float(head_dim));
  // One (image, head, block of query rows) per OpenMP task with BLAS single-threaded inside: the tasks are
  // independent and many, which keeps every core busy without nesting two thread pools. A block's scores
  // ([kQueryBlock, T]: 0.7 MB at T = 1370) stay in L2 between the two GEMMs and the softmax; a whole head's
  // [T, T] (7.5 MB) would not. Each row's softmax is its own, so blocking changes no arithmetic.
  constexpr int64_t kQueryBlock = 128;
  const int64_t blocks = (tokens + kQueryBlock - 1) / kQueryBlock;
  openblas_set_num_threads(1);
#pragma omp parallel
  {
    std::vector<float> scores(size_t(std::min(kQueryBlock, tokens) * tokens));
#pragma omp for schedule(dynamic, 1)
    for (int64_t task = 0; task < batch * heads * blocks; ++task) {
      const int64_t b = task / (heads * blocks), h = task / blocks % heads, block = task % blocks;
      const int64_t first = block * kQueryBlock, rows = std::min(kQueryBlock, tokens - first);
      const float* image = qkv + b * tokens * stride + h * head_dim;
      const float* q = image + first * stride;
      const float* k = image + d;
      const float* v = image + 2 * d;
      // scores: [rows, T] = q [rows, hd] · kᵀ [hd, T] · scale
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(tokens), int(head_dim), scale, q,
                  int(stride), k, int(stride), 0.0f, scores.data(), int(tokens));
      softmax_rows(scores.data(), rows, tokens);
      // context[first…, h·hd …] : [rows, hd] = scores [rows, T] · v [T, hd]
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(head_dim), int(tokens), 1.0f,
                  scores.data(), int(tokens), v, int(stride), 0.0f,
                  context + (b * tokens + first) * d + h * head_dim, int(d));
    }
  }
  openblas_set_num_threads(thread_count());
}

void bicubic_resize_grid(const float* in, int64_t in_h, int64_t in_w, float* out, int64_t out_h, int64_t out_w,
                         int64_t c) {
  for (int64_t oy = 0; oy < out_h; ++oy) {
    int64_t iy[4];
    float wy[4];
    cubic_taps(oy, in_h, out_h, iy, wy);
    for (int64_t ox = 0; ox < out_w; ++ox) {
      int64_t ix[4];
      float wx[4];
      cubic_taps(ox, in_w, out_w, ix, wx);
      float* dst = out + (oy * out_w + ox) * c;
      for (int64_t ch = 0; ch < c; ++ch) {
        // torch's order: interpolate along x within each of the four rows, then along y.
        float acc = 0.0f;
        for (int j = 0; j < 4; ++j) {
          const float* row = in + iy[j] * in_w * c + ch;
          float along_x = row[ix[0] * c] * wx[0];
          for (int i = 1; i < 4; ++i) along_x += row[ix[i] * c] * wx[i];
          acc = j == 0 ? along_x * wy[0] : acc + along_x * wy[j];
        }
        dst[ch] = acc;
      }
    }
  }
}

}  // namespace saerad::nn
