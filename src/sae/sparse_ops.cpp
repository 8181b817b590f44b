#include "sae/sparse_ops.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "sae/dense_ops.hpp"

// The d-long vector primitives are compiled for AVX-512, AVX2+FMA and baseline and picked at load time
// (no -march=native in the build); OpenMP regions call them, since an outlined region would not inherit a clone.
#define SAERAD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

namespace saerad::sparse {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr int kLanes = 16;  // fixed accumulator lanes: the same summation order in every clone

// y += a · x
SAERAD_CLONES void axpy(float a, const float* x, float* y, int64_t n) {
  for (int64_t j = 0; j < n; ++j) y[j] += a * x[j];
}

// y += a · w,  z += c · w  (one read of w)
SAERAD_CLONES void axpy_pair(float a, float c, const float* w, float* y, float* z, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    y[j] += a * w[j];
    z[j] += c * w[j];
  }
}

// s1 = x1 · w,  s2 = x2 · w  (one read of w)
SAERAD_CLONES void dot_pair(const float* x1, const float* x2, const float* w, int64_t n, float& s1, float& s2) {
  float acc1[kLanes] = {}, acc2[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      acc1[l] += x1[j + l] * w[j + l];
      acc2[l] += x2[j + l] * w[j + l];
    }
  s1 = s2 = 0;
  for (int l = 0; l < kLanes; ++l) s1 += acc1[l], s2 += acc2[l];
  for (; j < n; ++j) s1 += x1[j] * w[j], s2 += x2[j] * w[j];
}

}  // namespace

SAERAD_CLONES float dot(const float* x, const float* y, int64_t n) {
  float acc[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += x[j + l] * y[j + l];
  float s = 0;
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  for (; j < n; ++j) s += x[j] * y[j];
  return s;
}

void EncoderTiles::reserve(int64_t max_batch, int64_t d, int64_t m, int64_t tile_rows_wanted, EncoderPrecision precision) {
  tile_rows = std::max<int64_t>(1, std::min(max_batch, tile_rows_wanted));
  const bool supported = bf16_screen_supported();
  if (precision == EncoderPrecision::Bf16Screened && !supported)
    fail_input("the bf16-screened SAE encoder needs a CPU with AVX512-BF16, which this one lacks (use the float32 encoder)");
  screened = precision != EncoderPrecision::Float32 && supported;
  if (screened) {
    screen.reserve(max_batch, d, m);
    per_latent.resize(size_t(m));
  }
}

int64_t EncoderTiles::workspace_bytes() const {
  return (screened ? screen.workspace_bytes() + int64_t(per_latent.capacity()) * 4 : 0) + int64_t(tile.capacity()) * 4;
}

namespace {

// The float32 tile path: cblas_sgemm per tile, then every row of the tile through the selector.
bool encode_tiles(const float* x_in, int64_t B, int64_t d, const float* W_enc, int64_t m, EncoderTiles& tiles,
                  RowSelector& selector, int64_t max_entries, SparseBatch& batch) {
  if (tiles.tile.size() < size_t(tiles.tile_rows * m)) tiles.tile.resize(size_t(tiles.tile_rows * m));
  int64_t selected = 0;
  for (int64_t r0 = 0; r0 < B; r0 += tiles.tile_rows) {
    const int64_t R = std::min(tiles.tile_rows, B - r0);
    auto start = Clock::now();
    dense::gemm<float>(false, true, R, m, d, 1.0f, x_in + r0 * d, W_enc, 0.0f, tiles.tile.data());  // u: [R, m]
    tiles.gemm_seconds += seconds_since(start);
    start = Clock::now();
    for (int64_t g0 = 0; g0 < R; g0 += std::min(R, selector.rows_per_pass())) {
      const int64_t g1 = std::min(R, g0 + std::min(R, selector.rows_per_pass()));
#pragma omp parallel for schedule(dynamic, 4)
      for (int64_t r = g0; r < g1; ++r) {
        auto& out = batch.row_entries[size_t(r0 + r)];
        out.clear();
        selector.select(r0 + r, tiles.tile.data() + r * m, out);
      }
      selector.after_rows(batch, r0 + g1);
    }
    selected = 0;
    for (int64_t b = 0; b < r0 + R; ++b) selected += int64_t(batch.row_entries[size_t(b)].size());
    tiles.select_seconds += seconds_since(start);
    if (selected > max_entries) return false;
  }
  return true;
}

}  // namespace

bool encode_and_select(const float* x_in, int64_t B, int64_t d, const float* W_enc, int64_t m, EncoderTiles& tiles,
                       RowSelector& selector, int64_t max_entries, SparseBatch& batch) {
  batch.rows = B;
  if (int64_t(batch.row_entries.size()) < B) batch.row_entries.resize(size_t(B));
  tiles.gemm_seconds = tiles.select_seconds = 0;
  tiles.last_screened = false;
  const ScreenRequest request = tiles.screened ? selector.screen_request(tiles.per_latent.data()) : ScreenRequest{};
  const ScreenRule rule = request.rule;
  if (rule != ScreenRule::None) {
    auto start = Clock::now();
    // Threshold: twice the entries allowed (with more candidates the step is probably too dense: the float32 tiles
    // then decide, and fall back to the dense reference if it is). Top-k rules keep what passes the threads'
    // running bounds until the final filter (≈ T·k·(1 + ln(m / (T·k))) per row for T threads: ~500 at ×64, k 32,
    // 2 threads): a memory guard of B·m/4 (or 8 times the entries selected, if more), far above that for up to
    // ~64 threads; a step past it runs on float32 tiles.
    const int64_t selected_bound = (rule == ScreenRule::RowTopK ? B * request.k : request.k) + B * request.aux_k;
    const int64_t max_candidates = rule == ScreenRule::Threshold
                                       ? (max_entries > std::numeric_limits<int64_t>::max() / 2 ? max_entries : 2 * max_entries)
                                       : std::max(B * m / 4, 8 * selected_bound);
    const bool screened = tiles.screen.run(x_in, B, W_enc, request, max_candidates);
    tiles.gemm_seconds = seconds_since(start);
    if (screened) {
      tiles.last_screened = true;
      start = Clock::now();
      const std::vector<int64_t>& row_start = tiles.screen.row_start();
      const ScreenedPre* listed = tiles.screen.candidates().data();
      int64_t selected = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : selected)
      for (int64_t b = 0; b < B; ++b) {
        auto& out = batch.row_entries[size_t(b)];
        out.clear();
        selector.select_listed(b, listed + row_start[size_t(b)], row_start[size_t(b + 1)] - row_start[size_t(b)], out);
        selected += int64_t(out.size());
      }
      tiles.select_seconds = seconds_since(start);
      return selected <= max_entries;
    }
  }
  return encode_tiles(x_in, B, d, W_enc, m, tiles, selector, max_entries, batch);
}

void pack_rows(SparseBatch& batch) {
  const int64_t B = batch.rows;
  batch.row_start.resize(size_t(B + 1));
  batch.row_start[0] = 0;
  for (int64_t b = 0; b < B; ++b) batch.row_start[size_t(b + 1)] = batch.row_start[size_t(b)] + int64_t(batch.row_entries[size_t(b)].size());
  const auto nnz = size_t(batch.row_start[size_t(B)]);
  for (auto* v : {&batch.g_value, &batch.g_aux, &batch.d_pre})
    if (v->size() < nnz) v->resize(nnz);
  if (batch.entries.size() < nnz) batch.entries.resize(nnz);
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < B; ++b)
    std::copy(batch.row_entries[size_t(b)].begin(), batch.row_entries[size_t(b)].end(),
              batch.entries.begin() + batch.row_start[size_t(b)]);
}

void build_transpose(SparseBatch& batch, int64_t m) {
  const int64_t nnz = batch.nnz();
  batch.latent_start.assign(size_t(m + 1), 0);
  for (int64_t e = 0; e < nnz; ++e) ++batch.latent_start[size_t(batch.entries[size_t(e)].latent) + 1];
  for (int64_t i = 0; i < m; ++i) batch.latent_start[size_t(i + 1)] += batch.latent_start[size_t(i)];
  if (int64_t(batch.by_latent.size()) < nnz) {
    batch.by_latent.resize(size_t(nnz));
    batch.by_latent_row.resize(size_t(nnz));
  }
  batch.fill.assign(batch.latent_start.begin(), batch.latent_start.end() - 1);
  for (int64_t b = 0; b < batch.rows; ++b)  // rows in order: each latent's list stays row-ascending
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const int64_t slot = batch.fill[size_t(batch.entries[size_t(e)].latent)]++;
      batch.by_latent[size_t(slot)] = e;
      batch.by_latent_row[size_t(slot)] = int32_t(b);
    }
}

void decode(const SparseBatch& batch, Activation act, const float* W, int64_t d, const float* bias, float* out) {
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t b = 0; b < batch.rows; ++b) {
    float* row = out + b * d;
    if (bias)
      std::copy(bias, bias + d, row);
    else
      std::fill(row, row + d, 0.0f);
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const Entry& entry = batch.entries[size_t(e)];
      const float a = act == Activation::Value ? entry.value : entry.aux_value;
      if (a != 0.0f) axpy(a, W + int64_t(entry.latent) * d, row, d);
    }
  }
}

void decoder_dots(SparseBatch& batch, Activation act, const float* dY, const float* W, int64_t d, bool all_entries) {
  float* g = act == Activation::Value ? batch.g_value.data() : batch.g_aux.data();
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t b = 0; b < batch.rows; ++b)
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const Entry& entry = batch.entries[size_t(e)];
      const float a = act == Activation::Value ? entry.value : entry.aux_value;
      g[e] = all_entries || a != 0.0f ? dot(dY + b * d, W + int64_t(entry.latent) * d, d) : 0.0f;
    }
}

void decode_both(const SparseBatch& batch, const float* W, const float* bias, float* out, const float* W_aux,
                 const float* bias_aux, float* out_aux, int64_t d) {
  if (W != W_aux) {
    decode(batch, Activation::Value, W, d, bias, out);
    decode(batch, Activation::Aux, W_aux, d, bias_aux, out_aux);
    return;
  }
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t b = 0; b < batch.rows; ++b) {
    float* row = out + b * d;
    float* row_aux = out_aux + b * d;
    std::copy(bias, bias + d, row);
    std::copy(bias_aux, bias_aux + d, row_aux);
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const Entry& entry = batch.entries[size_t(e)];
      axpy_pair(entry.value, entry.aux_value, W + int64_t(entry.latent) * d, row, row_aux, d);
    }
  }
}

void decoder_dots_both(SparseBatch& batch, const float* dY, const float* W, const float* dY_aux, const float* W_aux, int64_t d) {
  if (W != W_aux) {
    decoder_dots(batch, Activation::Value, dY, W, d, false);
    decoder_dots(batch, Activation::Aux, dY_aux, W_aux, d, true);
    return;
  }
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t b = 0; b < batch.rows; ++b)
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const Entry& entry = batch.entries[size_t(e)];
      float g = 0, g_aux = 0;
      dot_pair(dY + b * d, dY_aux + b * d, W + int64_t(entry.latent) * d, d, g, g_aux);
      batch.g_value[size_t(e)] = entry.value != 0.0f ? g : 0.0f;
      batch.g_aux[size_t(e)] = g_aux;
    }
}

void weight_gradients(const SparseBatch& batch, int64_t m, int64_t d, const float* x_in, const float* dxhat,
                      const float* dxaux, const float* W_dec, const float* decoder_scale, float* g_W_enc, float* g_W_dec) {
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < m; ++i) {
    float* ge = g_W_enc + i * d;
    float* gd = g_W_dec + i * d;
    std::memset(ge, 0, size_t(d) * sizeof(float));
    std::memset(gd, 0, size_t(d) * sizeof(float));
    for (int64_t s = batch.latent_start[size_t(i)]; s < batch.latent_start[size_t(i + 1)]; ++s) {
      const int64_t e = batch.by_latent[size_t(s)];
      const int64_t b = batch.by_latent_row[size_t(s)];
      const Entry& entry = batch.entries[size_t(e)];
      if (batch.d_pre[size_t(e)] != 0.0f) axpy(batch.d_pre[size_t(e)], x_in + b * d, ge, d);
      if (entry.value != 0.0f) axpy(entry.value, dxhat + b * d, gd, d);
      if (dxaux && entry.aux_value != 0.0f) axpy(entry.aux_value, dxaux + b * d, gd, d);
    }
    if (decoder_scale && decoder_scale[i] != 0.0f) axpy(decoder_scale[i], W_dec + i * d, gd, d);
  }
}

void input_gradient(const SparseBatch& batch, const float* W_enc, int64_t d, float scale, float* dx) {
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t b = 0; b < batch.rows; ++b) {
    float* row = dx + b * d;
    std::fill(row, row + d, 0.0f);
    for (int64_t e = batch.row_start[size_t(b)]; e < batch.row_start[size_t(b + 1)]; ++e) {
      const float g = batch.d_pre[size_t(e)];
      if (g != 0.0f) axpy(scale * g, W_enc + int64_t(batch.entries[size_t(e)].latent) * d, row, d);
    }
  }
}

double summarize(const SparseBatch& batch, int64_t m, StepOutputs<float>& out) {
  out.fired.assign(size_t(m), 0);
  out.min_active.assign(size_t(m), std::numeric_limits<float>::infinity());
  int64_t active = 0;
#pragma omp parallel for schedule(dynamic, 256) reduction(+ : active)
  for (int64_t i = 0; i < m; ++i)
    for (int64_t s = batch.latent_start[size_t(i)]; s < batch.latent_start[size_t(i + 1)]; ++s) {
      const float v = batch.entries[size_t(batch.by_latent[size_t(s)])].value;
      if (v > 0.0f) {
        ++active;
        out.fired[size_t(i)] = 1;
        out.min_active[size_t(i)] = std::min(out.min_active[size_t(i)], v);
      }
    }
  return double(active) / double(std::max<int64_t>(1, batch.rows));
}

void row_norms(const float* W, int64_t m, int64_t d, float* norms) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < m; ++i) dense::row_norms(W + i * d, 1, d, norms + i);
}

void subtract_bias(const float* x, int64_t B, int64_t d, const float* b, float* out) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < B; ++r)
    for (int64_t j = 0; j < d; ++j) out[r * d + j] = x[r * d + j] - b[j];
}

void column_sums(const float* dY, int64_t B, int64_t n, float* db, bool accumulate) {
  constexpr int64_t kBlock = 64;  // columns per task: each column summed over rows in order, by one thread
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < n; c0 += kBlock) {
    const int64_t c1 = std::min(n, c0 + kBlock);
    if (!accumulate) std::fill(db + c0, db + c1, 0.0f);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t c = c0; c < c1; ++c) db[c] += dY[b * n + c];
  }
}

double squared_error(const float* pred, const float* target, int64_t B, int64_t d, float scale, float* grad,
                     std::vector<double>& row_partial) {
  if (int64_t(row_partial.size()) < B) row_partial.resize(size_t(B));
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < B; ++b) {
    double s = 0;
    for (int64_t j = b * d; j < (b + 1) * d; ++j) {
      const float e = pred[j] - target[j];
      s += double(e) * double(e);
      grad[j] = scale * e;
    }
    row_partial[size_t(b)] = s;
  }
  double total = 0;
  for (int64_t b = 0; b < B; ++b) total += row_partial[size_t(b)];
  return total;
}

}  // namespace saerad::sparse
