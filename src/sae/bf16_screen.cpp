#include "sae/bf16_screen.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "sae/sparse_ops.hpp"

// Only the functions marked with this attribute use AVX-512 instructions; they run only after
// bf16_screen_supported() (the build has no -march flags: the binary runs on any x86-64).
#define SAERAD_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

namespace saerad::sparse {

namespace {

constexpr int64_t kPanelRows = 64;     // rows of x per micro-tile: 4 vectors of 16 rows
constexpr int kRowVectors = 4;
constexpr int64_t kTileLatents = 6;    // 4 × 6 = 24 accumulators (of 32 vector registers)
constexpr int64_t kLatentBlock = 192;  // bf16 rows of W kept in L2 (288 KiB at d = 768) while all row panels pass

// The screen's bound on |bf16 dot − float32 dot| is margin_factor(d)·‖x‖·‖w‖: 2⁻⁷ + 2⁻¹⁶ from rounding both
// factors to bf16 (2⁻⁸ each), d·2⁻²³ for float32 accumulation in the screen and as much for the float32
// re-computation it is compared with, doubled for slack, and 0.1% for the rounding of the norms themselves.
float margin_factor(int64_t d) {
  return float((std::ldexp(1.0, -7) + std::ldexp(1.0, -15) + double(d) * std::ldexp(1.0, -21)) * 1.001);
}

// Round to nearest even (finite values; non-finite inputs are refused before the screen is used).
uint32_t to_bf16(float f) {
  uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  return (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
}

// src: [d] → dst: [pairs] words, (src[2p], src[2p + 1]) in bf16 (0 beyond d); returns Σ src² (float lanes).
SAERAD_AVX512_BF16 float to_bf16_pairs(const float* src, int64_t d, uint32_t* dst, int64_t pairs) {
  __m512 squares = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 32 <= d; k += 32) {
    const __m512 lo = _mm512_loadu_ps(src + k), hi = _mm512_loadu_ps(src + k + 16);
    squares = _mm512_fmadd_ps(lo, lo, _mm512_fmadd_ps(hi, hi, squares));
    _mm512_storeu_si512(dst + k / 2, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, squares);
  float sum = 0;
  for (float lane : lanes) sum += lane;
  for (int64_t p = k / 2; p < pairs; ++p) {
    const float a = 2 * p < d ? src[2 * p] : 0.0f, b = 2 * p + 1 < d ? src[2 * p + 1] : 0.0f;
    sum += a * a + b * b;
    dst[p] = to_bf16(a) | (to_bf16(b) << 16);
  }
  return sum;
}

// One latent block [j0, j1) (a multiple of kTileLatents long) against every row panel: what passes the screen is
// appended to out and then re-computed in float32 (the block's rows of W are still in cache).
SAERAD_AVX512_BF16 void screen_latent_block(int64_t j0, int64_t j1, const uint32_t* panels, int64_t panel_count,
                                            int64_t pairs, const uint32_t* w_bf16, const float* w_margin,
                                            const float* threshold, const float* x_norm, int64_t B, const float* x,
                                            const float* W, int64_t d, std::vector<ScreenedPre>& out) {
  const size_t first = out.size();
  alignas(64) float approx[16];
  for (int64_t panel = 0; panel < panel_count; ++panel) {
    const uint32_t* xp = panels + panel * pairs * kPanelRows;  // [pairs, 64]
    const int64_t r0 = panel * kPanelRows;
    __m512 norm[kRowVectors];
    __mmask16 valid[kRowVectors];
    for (int v = 0; v < kRowVectors; ++v) {
      norm[v] = _mm512_loadu_ps(x_norm + r0 + 16 * v);
      const int64_t live = std::clamp<int64_t>(B - r0 - 16 * v, 0, 16);  // padding rows never pass
      valid[v] = __mmask16((1u << live) - 1u);
    }
    for (int64_t j = j0; j < j1; j += kTileLatents) {
      __m512 acc[kRowVectors][kTileLatents];
      for (auto& row : acc)
        for (auto& a : row) a = _mm512_setzero_ps();
      const uint32_t* w[kTileLatents];
      for (int64_t l = 0; l < kTileLatents; ++l) w[l] = w_bf16 + (j + l) * pairs;
      // acc[v][l] lane r = Σ_p x[r0 + 16v + r, 2p..2p+1] · w[j + l, 2p..2p+1]
      for (int64_t p = 0; p < pairs; ++p) {
        __m512bh xv[kRowVectors];
        for (int v = 0; v < kRowVectors; ++v) xv[v] = (__m512bh)_mm512_loadu_si512(xp + p * kPanelRows + 16 * v);
        for (int64_t l = 0; l < kTileLatents; ++l) {
          const __m512bh wv = (__m512bh)_mm512_set1_epi32(int(w[l][p]));
          for (int v = 0; v < kRowVectors; ++v) acc[v][l] = _mm512_dpbf16_ps(acc[v][l], xv[v], wv);
        }
      }
      for (int64_t l = 0; l < kTileLatents; ++l) {
        const __m512 margin = _mm512_set1_ps(w_margin[j + l]), t = _mm512_set1_ps(threshold[j + l]);
        for (int v = 0; v < kRowVectors; ++v) {
          // screened u + c‖x‖‖w‖ > t: the float32 u may exceed t
          __mmask16 pass = _mm512_mask_cmp_ps_mask(valid[v], _mm512_fmadd_ps(norm[v], margin, acc[v][l]), t, _CMP_GT_OQ);
          if (!pass) continue;
          _mm512_store_ps(approx, acc[v][l]);
          for (; pass; pass &= __mmask16(pass - 1)) {
            const int lane = __builtin_ctz(pass);
            out.push_back({int32_t(r0 + 16 * v + lane), int32_t(j + l), approx[lane]});
          }
        }
      }
    }
  }
  for (size_t k = first; k < out.size(); ++k) out[k].u = dot(x + int64_t(out[k].row) * d, W + int64_t(out[k].latent) * d, d);
}

}  // namespace

bool bf16_screen_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bf16");
}

void Bf16Screen::reserve(int64_t max_batch, int64_t d, int64_t m) {
  d_ = d;
  m_ = m;
  max_batch_ = max_batch;
  pairs_ = (d + 1) / 2;
  padded_m_ = (m + kTileLatents - 1) / kTileLatents * kTileLatents;
  const int64_t padded_rows = (max_batch + kPanelRows - 1) / kPanelRows * kPanelRows;
  w_bf16_.assign(size_t(padded_m_ * pairs_), 0);
  w_margin_.assign(size_t(padded_m_), 0.0f);
  threshold_.assign(size_t(padded_m_), std::numeric_limits<float>::infinity());
  x_panels_.assign(size_t(padded_rows * pairs_), 0);
  x_norm_.assign(size_t(padded_rows), 0.0f);
  per_thread_.resize(size_t(omp_get_max_threads()));
  row_start_.assign(size_t(max_batch + 1), 0);
}

int64_t Bf16Screen::workspace_bytes() const {
  int64_t bytes = int64_t(w_bf16_.capacity() + x_panels_.capacity()) * 4 +
                  int64_t(w_margin_.capacity() + threshold_.capacity() + x_norm_.capacity()) * 4 +
                  int64_t(sorted_.capacity() * sizeof(ScreenedPre)) + int64_t(row_start_.capacity()) * 8;
  for (const auto& list : per_thread_) bytes += int64_t(list.capacity() * sizeof(ScreenedPre));
  return bytes;
}

bool Bf16Screen::run(const float* x, int64_t B, const float* W, const float* threshold, int64_t max_candidates) {
  if (B > max_batch_) fail("bf16 screen: batch of {} rows exceeds the {} its workspace was made for", B, max_batch_);
  const int64_t d = d_, m = m_, pairs = pairs_;
  const int64_t panel_count = (B + kPanelRows - 1) / kPanelRows;
  const float c = margin_factor(d);
  bool finite = true;

  // W → bf16 pairs and c·‖w_i‖; x → row panels and ‖x_b‖
#pragma omp parallel for schedule(static) reduction(&& : finite)
  for (int64_t i = 0; i < m; ++i) {
    const float norm = std::sqrt(to_bf16_pairs(W + i * d, d, w_bf16_.data() + i * pairs, pairs));
    finite = finite && std::isfinite(norm);
    w_margin_[size_t(i)] = c * norm;
    threshold_[size_t(i)] = threshold[i];
  }
#pragma omp parallel for schedule(static) reduction(&& : finite)
  for (int64_t panel = 0; panel < panel_count; ++panel) {
    uint32_t row_words[4096];  // one row in bf16 pairs (d ≤ 8192 here; longer rows go one chunk at a time below)
    uint32_t* xp = x_panels_.data() + panel * pairs * kPanelRows;
    for (int64_t lane = 0; lane < kPanelRows; ++lane) {
      const int64_t b = panel * kPanelRows + lane;
      double squares = 0;
      for (int64_t p0 = 0; p0 < pairs; p0 += 4096) {  // chunks of 8192 inputs
        const int64_t chunk = std::min<int64_t>(4096, pairs - p0);
        if (b < B)
          squares += to_bf16_pairs(x + b * d + 2 * p0, std::min<int64_t>(d - 2 * p0, 2 * chunk), row_words, chunk);
        else
          std::fill_n(row_words, chunk, 0u);
        for (int64_t p = 0; p < chunk; ++p) xp[(p0 + p) * kPanelRows + lane] = row_words[p];
      }
      const auto norm = float(std::sqrt(squares));
      finite = finite && std::isfinite(norm);
      x_norm_[size_t(b)] = norm;
    }
  }
  if (!finite) return false;

  // the screen, latent blocks shared out dynamically (the output is sorted below: thread-count independent)
  if (per_thread_.size() < size_t(omp_get_max_threads())) per_thread_.resize(size_t(omp_get_max_threads()));
  std::atomic<int64_t> passed{0};
  std::atomic<bool> too_many{false};
  const int64_t blocks = (padded_m_ + kLatentBlock - 1) / kLatentBlock;
#pragma omp parallel
  {
    std::vector<ScreenedPre>& mine = per_thread_[size_t(omp_get_thread_num())];
    mine.clear();
#pragma omp for schedule(dynamic, 1)
    for (int64_t block = 0; block < blocks; ++block) {
      if (too_many.load(std::memory_order_relaxed)) continue;
      const size_t before = mine.size();
      screen_latent_block(block * kLatentBlock, std::min(padded_m_, (block + 1) * kLatentBlock), x_panels_.data(),
                          panel_count, pairs, w_bf16_.data(), w_margin_.data(), threshold_.data(), x_norm_.data(), B, x,
                          W, d, mine);
      if (passed.fetch_add(int64_t(mine.size() - before)) + int64_t(mine.size() - before) > max_candidates)
        too_many.store(true, std::memory_order_relaxed);
    }
  }
  if (too_many.load()) return false;

  // by row (counting sort), then latents ascending within each row
  row_start_.assign(size_t(B + 1), 0);
  for (const auto& list : per_thread_)
    for (const ScreenedPre& s : list) ++row_start_[size_t(s.row) + 1];
  for (int64_t b = 0; b < B; ++b) row_start_[size_t(b + 1)] += row_start_[size_t(b)];
  sorted_.resize(size_t(row_start_[size_t(B)]));
  {
    std::vector<int64_t>& cursor = fill_;
    cursor.assign(row_start_.begin(), row_start_.end() - 1);
    for (const auto& list : per_thread_)
      for (const ScreenedPre& s : list) sorted_[size_t(cursor[size_t(s.row)]++)] = s;
  }
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t b = 0; b < B; ++b)
    std::sort(sorted_.begin() + row_start_[size_t(b)], sorted_.begin() + row_start_[size_t(b + 1)],
              [](const ScreenedPre& a, const ScreenedPre& c2) { return a.latent < c2.latent; });
  return true;
}

}  // namespace saerad::sparse
