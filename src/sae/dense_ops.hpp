#pragma once
// Dense building blocks of the reference SAE kernels, templated on float (training) and double (the
// finite-difference tests). Plain functions with shape comments; GEMMs go through cblas.
#include <cstdint>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "sae/architecture.hpp"

namespace saerad::dense {

// C[M,N] = alpha · op(A) · op(B) + beta · C, row-major; op = transpose when the flag is set.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, const T* B, T beta, T* C);

// x: [B, d], W: [m, d], bias: [m] (may be null) → out: [B, m] = x · Wᵀ + bias
template <class T>
void linear_rows(const T* x, int64_t B, int64_t d, const T* W, int64_t m, const T* bias, T* out);

// f: [B, m], W_dec: [m, d], b_dec: [d] (may be null) → xhat: [B, d] = f · W_dec + b_dec
template <class T>
void decode(const T* f, int64_t B, int64_t m, const T* W_dec, int64_t d, const T* b_dec, T* xhat);

// x: [B, d], b: [d] → out: [B, d] = x − b
template <class T>
void subtract_bias(const T* x, int64_t B, int64_t d, const T* b, T* out);

// W: [m, d] → norms: [m] (Euclidean norm of each row)
template <class T>
void row_norms(const T* W, int64_t m, int64_t d, T* norms);

// dY: [B, n] → db: [n] = Σ_b dY[b, :]   (accumulates into db when accumulate)
template <class T>
void column_sums(const T* dY, int64_t B, int64_t n, T* db, bool accumulate = false);

// Σ of squares of all elements of x: [count]
template <class T>
double sum_squares(const T* x, int64_t count);

// x: [B, d] → Σ_b ‖x_b − mean_b(x)‖² (the batch's total variance; normalises topk's MSE)
template <class T>
double total_variance(const T* x, int64_t B, int64_t d);

// The decoder-norm-weighted penalty's decoder gradient: ∂/∂d_i of scale · Σ_b a_bi ‖d_i‖ =
// scale · (Σ_b a_bi) · d_i / ‖d_i‖, added to G. a: [B, m], W_dec: [m, d], norms: [m] → G: [m, d] (+=)
template <class T>
void add_norm_penalty_gradient(const T* a, int64_t B, int64_t m, const T* W_dec, int64_t d, const T* norms, T scale, T* G);

// f: [B, m] → fired [m] (any sample active), min_active [m] (+inf where none), returns L0 (mean actives per row).
template <class T>
double summarize_activations(const T* f, int64_t B, int64_t m, StepOutputs<T>& out);

// z: [m] → the indices of the k largest values among those with allowed[i] (null = all) and z > 0, ties to
// the lower index. Writes up to k indices to idx; returns how many.
template <class T>
int64_t top_k_positive(const T* z, int64_t m, int64_t k, const uint8_t* allowed, int32_t* idx,
                       std::vector<int32_t>& scratch);

// Unit-norm decoder constraint: G[i] −= (G[i]·W[i]) W[i] for unit rows W: [m, d]; and W[i] /= ‖W[i]‖.
void remove_radial_component(const float* W, int64_t m, int64_t d, float* G);
void normalize_rows(float* W, int64_t m, int64_t d);

// Random directions of the given norm for every row of W: [m, d] (Gaussian, normalised; deterministic for rng).
void random_rows(float* W, int64_t m, int64_t d, double norm, Rng& rng);

}  // namespace saerad::dense
