#include "sae/dense_ops.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>

namespace saerad::dense {

template <>
void gemm<float>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
                 float beta, float* C) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
              alpha, A, ta ? int(M) : int(K), B, tb ? int(K) : int(N), beta, C, int(N));
}

template <>
void gemm<double>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, const double* B,
                  double beta, double* C) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
              alpha, A, ta ? int(M) : int(K), B, tb ? int(K) : int(N), beta, C, int(N));
}

namespace {
// out[b, :] += bias for every row b of out [B, n] (no-op without a bias).
template <class T>
void add_bias_to_rows(T* out, int64_t B, int64_t n, const T* bias) {
  if (!bias) return;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < n; ++i) out[b * n + i] += bias[i];
}
}  // namespace

template <class T>
void linear_rows(const T* x, int64_t B, int64_t d, const T* W, int64_t m, const T* bias, T* out) {
  gemm<T>(false, true, B, m, d, T(1), x, W, T(0), out);
  add_bias_to_rows(out, B, m, bias);
}

template <class T>
void decode(const T* f, int64_t B, int64_t m, const T* W_dec, int64_t d, const T* b_dec, T* xhat) {
  gemm<T>(false, false, B, d, m, T(1), f, W_dec, T(0), xhat);
  add_bias_to_rows(xhat, B, d, b_dec);
}

template <class T>
void subtract_bias(const T* x, int64_t B, int64_t d, const T* bias, T* out) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < d; ++j) out[b * d + j] = x[b * d + j] - bias[j];
}

template <class T>
void row_norms(const T* W, int64_t m, int64_t d, T* norms) {
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += double(W[i * d + j]) * double(W[i * d + j]);
    norms[i] = T(std::sqrt(s));
  }
}

template <class T>
void column_sums(const T* dY, int64_t B, int64_t n, T* db, bool accumulate) {
  if (!accumulate) std::fill(db, db + n, T(0));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < n; ++i) db[i] += dY[b * n + i];
}

template <class T>
void add_norm_penalty_gradient(const T* a, int64_t B, int64_t m, const T* W_dec, int64_t d, const T* norms, T scale, T* G) {
  for (int64_t i = 0; i < m; ++i) {
    T sum_a = 0;
    for (int64_t b = 0; b < B; ++b) sum_a += a[b * m + i];
    if (sum_a == T(0) || norms[i] == T(0)) continue;
    const T factor = scale * sum_a / norms[i];
    for (int64_t j = 0; j < d; ++j) G[i * d + j] += factor * W_dec[i * d + j];
  }
}

template <class T>
double sum_squares(const T* x, int64_t count) {
  double s = 0;
  for (int64_t i = 0; i < count; ++i) s += double(x[i]) * double(x[i]);
  return s;
}

template <class T>
double total_variance(const T* x, int64_t B, int64_t d) {
  double total = 0;
  for (int64_t j = 0; j < d; ++j) {
    double mean = 0;
    for (int64_t b = 0; b < B; ++b) mean += double(x[b * d + j]);
    mean /= double(B);
    for (int64_t b = 0; b < B; ++b) total += (double(x[b * d + j]) - mean) * (double(x[b * d + j]) - mean);
  }
  return total;
}

template <class T>
double summarize_activations(const T* f, int64_t B, int64_t m, StepOutputs<T>& out) {
  out.fired.assign(size_t(m), 0);
  out.min_active.assign(size_t(m), std::numeric_limits<T>::infinity());
  int64_t active = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const T v = f[b * m + i];
      if (v > T(0)) {
        ++active;
        out.fired[size_t(i)] = 1;
        out.min_active[size_t(i)] = std::min(out.min_active[size_t(i)], v);
      }
    }
  return double(active) / double(B);
}

template <class T>
int64_t top_k_positive(const T* z, int64_t m, int64_t k, const uint8_t* allowed, int32_t* idx,
                       std::vector<int32_t>& scratch) {
  scratch.clear();
  for (int64_t i = 0; i < m; ++i)
    if (z[i] > T(0) && (!allowed || allowed[i])) scratch.push_back(int32_t(i));
  const auto better = [z](int32_t a, int32_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
  const int64_t count = std::min<int64_t>(k, int64_t(scratch.size()));
  std::partial_sort(scratch.begin(), scratch.begin() + count, scratch.end(), better);
  std::copy(scratch.begin(), scratch.begin() + count, idx);
  return count;
}

void remove_radial_component(const float* W, int64_t m, int64_t d, float* G) {
  for (int64_t i = 0; i < m; ++i) {
    double dot = 0;
    for (int64_t j = 0; j < d; ++j) dot += double(G[i * d + j]) * double(W[i * d + j]);
    for (int64_t j = 0; j < d; ++j) G[i * d + j] -= float(dot) * W[i * d + j];
  }
}

void normalize_rows(float* W, int64_t m, int64_t d) {
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += double(W[i * d + j]) * double(W[i * d + j]);
    if (s <= 0) continue;
    const float inv = float(1.0 / std::sqrt(s));
    for (int64_t j = 0; j < d; ++j) W[i * d + j] *= inv;
  }
}

void random_rows(float* W, int64_t m, int64_t d, double norm, Rng& rng) {
  std::vector<double> row(static_cast<size_t>(d));
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (auto& v : row) {
      v = rng.normal();
      s += v * v;
    }
    const double scale = norm / std::sqrt(std::max(s, 1e-300));
    for (int64_t j = 0; j < d; ++j) W[i * d + j] = float(row[size_t(j)] * scale);
  }
}

#define SAERAD_INSTANTIATE(T)                                                                              \
  template void linear_rows<T>(const T*, int64_t, int64_t, const T*, int64_t, const T*, T*);              \
  template void decode<T>(const T*, int64_t, int64_t, const T*, int64_t, const T*, T*);                   \
  template void subtract_bias<T>(const T*, int64_t, int64_t, const T*, T*);                               \
  template void row_norms<T>(const T*, int64_t, int64_t, T*);                                             \
  template void column_sums<T>(const T*, int64_t, int64_t, T*, bool);                                     \
  template double sum_squares<T>(const T*, int64_t);                                                      \
  template void add_norm_penalty_gradient<T>(const T*, int64_t, int64_t, const T*, int64_t, const T*, T, T*); \
  template double total_variance<T>(const T*, int64_t, int64_t);                                          \
  template double summarize_activations<T>(const T*, int64_t, int64_t, StepOutputs<T>&);                  \
  template int64_t top_k_positive<T>(const T*, int64_t, int64_t, const uint8_t*, int32_t*, std::vector<int32_t>&);
SAERAD_INSTANTIATE(float)
SAERAD_INSTANTIATE(double)
#undef SAERAD_INSTANTIATE

}  // namespace saerad::dense
