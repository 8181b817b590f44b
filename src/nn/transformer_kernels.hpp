#pragma once
// The kernels of a transformer forward pass, shared by the image encoder (DINOv2, vision/) and text encoders,
// as plain functions over row-major float32 arrays (shapes in comments).
// Vectorised loops (compiled for AVX-512 / AVX2 / baseline, chosen at run time) with an exp and an erf
// that are branch-free polynomials: exp to ~2 ulp, erf to 1.5e-7 absolute (Abramowitz & Stegun 7.1.26,
// the approximation PyTorch's vectorised GELU also uses).
#include <cstdint>

namespace saerad::nn {

// x: [rows, d] → y: [rows, d];  y = (x − mean)/sqrt(var + eps)·weight + bias (biased variance). y may be x.
void layer_norm(const float* x, float* y, const float* weight, const float* bias, int64_t rows, int64_t d, float eps);

// x: [n] in place;  x ↦ x·½(1 + erf(x/√2))  (exact-erf GELU, not the tanh approximation).
void gelu_erf(float* x, int64_t n);

// x: [rows, cols] in place, each row ↦ softmax(row).
void softmax_rows(float* x, int64_t rows, int64_t cols);

// x: [M, K], weight: [N, K] (torch Linear layout), bias: [N] or null → y: [M, N] (sgemm, threaded by BLAS).
void linear(const float* x, const float* weight, const float* bias, float* y, int64_t m, int64_t n, int64_t k);

// y: [n] += scale[i % d] · x: [n]  (LayerScale + residual: y = y + λ ⊙ x, rows of width d)
void add_scaled_rows(float* y, const float* x, const float* scale, int64_t rows, int64_t d);

// Multi-head self-attention core for a batch, parallel over (image, head) with single-threaded GEMMs.
// qkv: [B, T, 3·d] (q | k | v, each heads × head_dim) → context: [B, T, d];  scores scaled by 1/sqrt(head_dim).
void attention(const float* qkv, float* context, int64_t batch, int64_t tokens, int64_t heads, int64_t head_dim);

// torch.nn.functional.interpolate(mode="bicubic", align_corners=False, antialias=False) of a channels-last
// grid, A = −0.75 with clamped borders: in: [in_h, in_w, c] → out: [out_h, out_w, c].
void bicubic_resize_grid(const float* in, int64_t in_h, int64_t in_w, float* out, int64_t out_h, int64_t out_w,
                         int64_t c);

// Scalar references for tests (std::exp / std::erf).
float reference_gelu(float x);

}  // namespace saerad::nn
