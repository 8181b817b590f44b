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

constexpr int64_t kPanelRows = 64;  // rows of x per micro-tile: 4 vectors of 16 rows
constexpr int kRowVectors = 4;
constexpr int64_t kTileLatents = 6;    // 4 × 6 = 24 accumulators (of 32 vector registers)
constexpr int64_t kLatentBlock = 192;  // bf16 rows of W kept in L2 (288 KiB at d = 768) while all row panels pass

// The screen's bound on |bf16 dot − float32 dot| is margin_factor(d)·‖x‖·‖w‖ (Cauchy–Schwarz on Σ|x_k||w_k|):
// 2·2⁻⁸ + 2⁻¹⁶ from rounding both factors to bf16 (unit roundoff 2⁻⁸), with the 2⁻¹⁶ raised to 2⁻¹⁵ to absorb
// the epilogue's own roundings; d·2⁻²¹, four times the first-order float32 accumulation bound d·2⁻²⁴ of each of
// the two sums (the screen's and the float32 re-computation it stands in for); and 0.1% for the norms' rounding.
// Denormals, which VDPBF16PS and VCVTNE2PS2BF16 flush to zero, are an absolute error the relative bound does not
// cover: kMinNorm below keeps it negligible.
float margin_factor(int64_t d) {
  return float((std::ldexp(1.0, -7) + std::ldexp(1.0, -15) + double(d) * std::ldexp(1.0, -21)) * 1.001);
}

// A row of x or W whose norm is non-zero but below this is refused (the caller computes u in float32): above it,
// flushing denormal factors or products (at most d·2⁻¹²⁶·‖w‖) stays far below the margin (≥ 2⁻⁷·2⁻⁴⁵·‖w‖).
const double kMinNorm = std::ldexp(1.0, -45);

// Round to nearest even (finite values; non-finite inputs are refused before the screen is used).
uint32_t to_bf16(float f) {
  uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  return (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
}

// src: [d] → dst: [pairs] words, (src[2p], src[2p + 1]) in bf16 (0 beyond d); returns Σ src² in double (the
// squares of float values neither underflow nor overflow there).
SAERAD_AVX512_BF16 double to_bf16_pairs(const float* src, int64_t d, uint32_t* dst, int64_t pairs) {
  __m512d squares = _mm512_setzero_pd();
  int64_t k = 0;
  for (; k + 32 <= d; k += 32) {
    const __m512 lo = _mm512_loadu_ps(src + k), hi = _mm512_loadu_ps(src + k + 16);
    for (const __m512 half : {lo, hi}) {
      const __m512d a = _mm512_cvtps_pd(_mm512_castps512_ps256(half));
      const __m512d b = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(half), 1)));
      squares = _mm512_fmadd_pd(a, a, _mm512_fmadd_pd(b, b, squares));
    }
    _mm512_storeu_si512(dst + k / 2, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, squares);
  double sum = 0;
  for (double lane : lanes) sum += lane;
  for (int64_t p = k / 2; p < pairs; ++p) {
    const float a = 2 * p < d ? src[2 * p] : 0.0f, b = 2 * p + 1 < d ? src[2 * p + 1] : 0.0f;
    sum += double(a) * double(a) + double(b) * double(b);
    dst[p] = to_bf16(a) | (to_bf16(b) << 16);
  }
  return sum;
}

// Usable by the screen: finite, and either exactly 0 or not tiny.
bool screenable_norm(double norm) { return std::isfinite(norm) && (norm == 0.0 || norm >= kMinNorm); }

// What one latent block needs besides the row panels.
struct BlockInputs {
  const uint32_t* panels;  // [panel_count, pairs, 64]
  int64_t panel_count, pairs, B, d;
  const uint32_t* w_bf16;  // [padded_m, pairs]
  const float* w_margin;   // [padded_m]
  const float* threshold;  // [padded_m] Threshold
  const float* bias_low;   // [padded_m] top-k rules
  const float* bias_high;
  const uint8_t* aux;   // [padded_m] AuxK's latents (null: none)
  const float* x_norm;  // [padded B]
  const float* x;       // [B, d] float32, for the re-computation
  const float* W;       // [m, d]
};

// One latent block [j0, j1) (a multiple of kTileLatents long) against every row panel; what passes is appended
// to out. Threshold: u + c‖x‖‖w‖ > t, then re-computed in float32 here (the block's rows of W are still in
// cache). Top-k rules: z's upper bound (u + c‖x‖‖w‖ + b) > 0 and ≥ the thread's running bound (or, for an AuxK
// latent, ≥ the row's AuxK running bound), kept with that upper bound in .u (the caller filters and re-computes);
// lower bounds (u − c‖x‖‖w‖ + b) feed the running bounds.
template <ScreenRule kRule>
SAERAD_AVX512_BF16 void screen_latent_block(int64_t j0, int64_t j1, const BlockInputs& in,
                                            Bf16Screen::RunningTopK* running, Bf16Screen::RunningTopK* running_aux,
                                            std::vector<ScreenedPre>& out) {
  const size_t first = out.size();
  const int64_t pairs = in.pairs;
  alignas(64) float upper[16], lower[16];
  for (int64_t panel = 0; panel < in.panel_count; ++panel) {
    const uint32_t* xp = in.panels + panel * pairs * kPanelRows;  // [pairs, 64]
    const int64_t r0 = panel * kPanelRows;
    __m512 norm[kRowVectors];
    __mmask16 valid[kRowVectors];
    for (int v = 0; v < kRowVectors; ++v) {
      norm[v] = _mm512_loadu_ps(in.x_norm + r0 + 16 * v);
      const int64_t live = std::clamp<int64_t>(in.B - r0 - 16 * v, 0, 16);  // padding rows never pass
      valid[v] = __mmask16((1u << live) - 1u);
    }
    for (int64_t j = j0; j < j1; j += kTileLatents) {
      __m512 acc[kRowVectors][kTileLatents];
      for (auto& row : acc)
        for (auto& a : row) a = _mm512_setzero_ps();
      const uint32_t* w[kTileLatents];
      for (int64_t l = 0; l < kTileLatents; ++l) w[l] = in.w_bf16 + (j + l) * pairs;
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
        const int32_t latent = int32_t(j + l);
        const __m512 margin = _mm512_set1_ps(in.w_margin[j + l]);
        if constexpr (kRule == ScreenRule::Threshold) {
          const __m512 t = _mm512_set1_ps(in.threshold[j + l]);
          for (int v = 0; v < kRowVectors; ++v) {
            // screened u + c‖x‖‖w‖ > t: the float32 u may exceed t
            __mmask16 pass =
                _mm512_mask_cmp_ps_mask(valid[v], _mm512_fmadd_ps(norm[v], margin, acc[v][l]), t, _CMP_GT_OQ);
            if (!pass) continue;
            _mm512_store_ps(upper, acc[v][l]);
            for (; pass; pass &= __mmask16(pass - 1)) {
              const int lane = __builtin_ctz(pass);
              out.push_back({int32_t(r0 + 16 * v + lane), latent, upper[lane]});
            }
          }
        } else {
          const __m512 b_high = _mm512_set1_ps(in.bias_high[j + l]), b_low = _mm512_set1_ps(in.bias_low[j + l]);
          const bool aux = in.aux && in.aux[j + l];
          for (int v = 0; v < kRowVectors; ++v) {
            const __m512 spread = _mm512_mul_ps(norm[v], margin);
            const __m512 hi = _mm512_add_ps(_mm512_add_ps(acc[v][l], spread), b_high);
            const __m512 lo = _mm512_add_ps(_mm512_sub_ps(acc[v][l], spread), b_low);
            const __m512 floor = kRule == ScreenRule::RowTopK ? _mm512_loadu_ps(running->floor.data() + r0 + 16 * v)
                                                              : _mm512_set1_ps(running->floor[0]);
            const __mmask16 positive = _mm512_mask_cmp_ps_mask(valid[v], hi, _mm512_setzero_ps(), _CMP_GT_OQ);
            __mmask16 raise = _mm512_mask_cmp_ps_mask(valid[v], lo, floor, _CMP_GT_OQ);
            __mmask16 pass = _mm512_mask_cmp_ps_mask(positive, hi, floor, _CMP_GE_OQ);
            __mmask16 raise_aux = 0;
            if (aux) {
              const __m512 floor_aux = _mm512_loadu_ps(running_aux->floor.data() + r0 + 16 * v);
              raise_aux = _mm512_mask_cmp_ps_mask(valid[v], lo, floor_aux, _CMP_GT_OQ);
              pass |= _mm512_mask_cmp_ps_mask(positive, hi, floor_aux, _CMP_GE_OQ);
            }
            if (!(raise | raise_aux | pass)) continue;
            _mm512_store_ps(upper, hi);
            _mm512_store_ps(lower, lo);
            for (; raise; raise &= __mmask16(raise - 1)) {
              const int lane = __builtin_ctz(raise);
              running->offer(kRule == ScreenRule::RowTopK ? r0 + 16 * v + lane : 0, lower[lane]);
            }
            for (; raise_aux; raise_aux &= __mmask16(raise_aux - 1)) {
              const int lane = __builtin_ctz(raise_aux);
              running_aux->offer(r0 + 16 * v + lane, lower[lane]);
            }
            for (; pass; pass &= __mmask16(pass - 1)) {
              const int lane = __builtin_ctz(pass);
              out.push_back({int32_t(r0 + 16 * v + lane), latent, upper[lane]});
            }
          }
        }
      }
    }
  }
  if constexpr (kRule == ScreenRule::Threshold)
    for (size_t q = first; q < out.size(); ++q)
      out[q].u = dot(in.x + int64_t(out[q].row) * in.d, in.W + int64_t(out[q].latent) * in.d, in.d);
}

// Stable counting sort of the items for_each(visit) yields, by key(s) ∈ [0, keys): start [keys + 1] (offsets),
// out in key order (the yielding order within a key); cursor is scratch.
template <class ForEach, class Key>
void counting_sort(ForEach for_each, int64_t keys, Key key, std::vector<int64_t>& start, std::vector<int64_t>& cursor,
                   std::vector<ScreenedPre>& out) {
  start.assign(size_t(keys + 1), 0);
  for_each([&](const ScreenedPre& s) { ++start[size_t(key(s)) + 1]; });
  for (int64_t q = 0; q < keys; ++q) start[size_t(q + 1)] += start[size_t(q)];
  out.resize(size_t(start[size_t(keys)]));
  cursor.assign(start.begin(), start.end() - 1);
  for_each([&](const ScreenedPre& s) { out[size_t(cursor[size_t(key(s))]++)] = s; });
}

}  // namespace

bool bf16_screen_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

void Bf16Screen::RunningTopK::reset(int64_t heaps, int64_t capacity) {
  k = capacity;
  if (heap.size() < size_t(heaps * k)) heap.resize(size_t(heaps * k));
  size.assign(size_t(heaps), 0);
  floor.assign(size_t(heaps), -std::numeric_limits<float>::infinity());
}

void Bf16Screen::RunningTopK::offer(int64_t h, float lower_bound) {
  float* top = heap.data() + h * k;
  int64_t& n = size[size_t(h)];
  if (n < k) {
    top[n++] = lower_bound;
    std::push_heap(top, top + n, std::greater<float>());
    if (n == k) floor[size_t(h)] = top[0];
  } else if (lower_bound > top[0]) {
    std::pop_heap(top, top + k, std::greater<float>());
    top[k - 1] = lower_bound;
    std::push_heap(top, top + k, std::greater<float>());
    floor[size_t(h)] = top[0];
  }
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
  bias_low_.assign(size_t(padded_m_), -std::numeric_limits<float>::infinity());
  bias_high_.assign(size_t(padded_m_), -std::numeric_limits<float>::infinity());
  x_panels_.assign(size_t(padded_rows * pairs_), 0);
  x_norm_.assign(size_t(padded_rows), 0.0f);
  per_thread_.resize(size_t(omp_get_max_threads()));
  running_.resize(size_t(omp_get_max_threads()));
  row_start_.assign(size_t(max_batch + 1), 0);
}

int64_t Bf16Screen::workspace_bytes() const {
  int64_t bytes = int64_t(w_bf16_.capacity() + x_panels_.capacity()) * 4 +
                  int64_t(w_margin_.capacity() + threshold_.capacity() + bias_low_.capacity() + bias_high_.capacity() +
                          x_norm_.capacity() + bound_.capacity() + bound_aux_.capacity()) *
                      4 +
                  int64_t(aux_flags_.capacity()) +
                  int64_t((sorted_.capacity() + kept_.capacity()) * sizeof(ScreenedPre)) +
                  int64_t(row_start_.capacity() + latent_start_.capacity() + fill_.capacity()) * 8;
  for (const auto& list : per_thread_) bytes += int64_t(list.capacity() * sizeof(ScreenedPre));
  for (const auto* running : {&running_, &running_aux_})
    for (const auto& r : *running)
      bytes += int64_t(r.heap.capacity() + r.floor.capacity()) * 4 + int64_t(r.size.capacity()) * 8;
  return bytes;
}

bool Bf16Screen::run(const float* x, int64_t B, const float* W, const ScreenRequest& request, int64_t max_candidates) {
  if (B > max_batch_) fail("bf16 screen: batch of {} rows exceeds the {} its workspace was made for", B, max_batch_);
  const ScreenRule rule = request.rule;
  const float* per_latent = request.per_latent;
  if (rule == ScreenRule::None || !per_latent) fail("bf16 screen: no screen rule given");
  const bool with_aux = rule != ScreenRule::Threshold && request.aux_latents && request.aux_k > 0;
  if (with_aux) aux_flags_.assign(size_t(padded_m_), 0);
  const int64_t d = d_, m = m_, pairs = pairs_;
  const int64_t panel_count = (B + kPanelRows - 1) / kPanelRows;
  const float c = margin_factor(d);
  bool screenable = true;

  // W → bf16 pairs and c·‖w_i‖; the rule's per-latent values; x → row panels and ‖x_b‖
  const bool top_k = rule != ScreenRule::Threshold;
#pragma omp parallel for schedule(static) reduction(&& : screenable)
  for (int64_t i = 0; i < m; ++i) {
    const double norm = std::sqrt(to_bf16_pairs(W + i * d, d, w_bf16_.data() + i * pairs, pairs));
    screenable = screenable && screenable_norm(norm);
    w_margin_[size_t(i)] = float(c * norm);
    if (!top_k) {
      threshold_[size_t(i)] = per_latent[i];
    } else {  // z = u + b rounds: the bounds use b moved outward by 2⁻²⁰ of itself (more than float32's 2⁻²⁴)
      const float slack = std::ldexp(std::fabs(per_latent[i]), -20);
      bias_low_[size_t(i)] = per_latent[i] - slack;
      bias_high_[size_t(i)] = per_latent[i] + slack;
      if (with_aux) aux_flags_[size_t(i)] = request.aux_latents[i] != 0;
    }
  }
#pragma omp parallel for schedule(static) reduction(&& : screenable)
  for (int64_t panel = 0; panel < panel_count; ++panel) {
    uint32_t row_words[4096];  // a row in bf16 pairs, 8192 inputs at a time
    uint32_t* xp = x_panels_.data() + panel * pairs * kPanelRows;
    for (int64_t lane = 0; lane < kPanelRows; ++lane) {
      const int64_t b = panel * kPanelRows + lane;
      double squares = 0;
      for (int64_t p0 = 0; p0 < pairs; p0 += 4096) {
        const int64_t chunk = std::min<int64_t>(4096, pairs - p0);
        if (b < B)
          squares += to_bf16_pairs(x + b * d + 2 * p0, std::min<int64_t>(d - 2 * p0, 2 * chunk), row_words, chunk);
        else
          std::fill_n(row_words, chunk, 0u);
        for (int64_t p = 0; p < chunk; ++p) xp[(p0 + p) * kPanelRows + lane] = row_words[p];
      }
      const double norm = std::sqrt(squares);
      screenable = screenable && screenable_norm(norm);
      x_norm_[size_t(b)] = float(norm);
    }
  }
  if (!screenable) return false;
  if (top_k) return screen_top_k(x, B, W, request, max_candidates);

  int team = 1;
  if (!screen_blocks(x, B, W, request, max_candidates, team)) return false;
  sort_by_row(B);
  return true;
}

// Every latent block through screen_latent_block for the request's rule, each thread appending to its own list
// (and, for the top-k rules, raising its own running bounds); team = the threads that took part. Blocks are
// shared statically: for the top-k rules what passes depends on the latents a thread saw before, so a fixed share
// keeps it a function of the thread count. false: more than max_candidates passed.
bool Bf16Screen::screen_blocks(const float* x, int64_t B, const float* W, const ScreenRequest& request,
                               int64_t max_candidates, int& team) {
  const ScreenRule rule = request.rule;
  const bool with_aux = rule != ScreenRule::Threshold && request.aux_latents && request.aux_k > 0;
  const int64_t panel_count = (B + kPanelRows - 1) / kPanelRows;
  const int64_t padded_rows = panel_count * kPanelRows;  // per-row bounds are read 16 rows at a time
  const int64_t heaps = rule == ScreenRule::RowTopK ? padded_rows : 1;
  const int threads = omp_get_max_threads();
  for (auto* v : {&running_, &running_aux_})
    if (v->size() < size_t(threads)) v->resize(size_t(threads));
  if (per_thread_.size() < size_t(threads)) per_thread_.resize(size_t(threads));
  for (auto& list : per_thread_) list.clear();  // a smaller team leaves some lists untouched
  const BlockInputs in{x_panels_.data(),
                       panel_count,
                       pairs_,
                       B,
                       d_,
                       w_bf16_.data(),
                       w_margin_.data(),
                       threshold_.data(),
                       bias_low_.data(),
                       bias_high_.data(),
                       with_aux ? aux_flags_.data() : nullptr,
                       x_norm_.data(),
                       x,
                       W};
  std::atomic<int64_t> passed{0};
  std::atomic<bool> too_many{false};
  const int64_t blocks = (padded_m_ + kLatentBlock - 1) / kLatentBlock;
#pragma omp parallel
  {
    const int t = omp_get_thread_num();
#pragma omp single
    team = omp_get_num_threads();  // (the implicit barrier after single: every thread sees it)
    std::vector<ScreenedPre>& mine = per_thread_[size_t(t)];
    RunningTopK* running = &running_[size_t(t)];
    RunningTopK* running_aux = &running_aux_[size_t(t)];
    if (rule != ScreenRule::Threshold) running->reset(heaps, request.k);
    if (with_aux) running_aux->reset(padded_rows, request.aux_k);
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      if (too_many.load(std::memory_order_relaxed)) continue;
      const size_t before = mine.size();
      const int64_t j0 = block * kLatentBlock, j1 = std::min(padded_m_, (block + 1) * kLatentBlock);
      if (rule == ScreenRule::Threshold)
        screen_latent_block<ScreenRule::Threshold>(j0, j1, in, running, running_aux, mine);
      else if (rule == ScreenRule::RowTopK)
        screen_latent_block<ScreenRule::RowTopK>(j0, j1, in, running, running_aux, mine);
      else
        screen_latent_block<ScreenRule::BatchTopK>(j0, j1, in, running, running_aux, mine);
      const auto added = int64_t(mine.size() - before);
      if (passed.fetch_add(added) + added > max_candidates) too_many.store(true, std::memory_order_relaxed);
    }
  }
  return !too_many.load();
}

// bound[h] = the k-th largest of the threads' heaps h (the first `team` of running), −∞ with fewer than k.
void Bf16Screen::pool_bounds(const std::vector<RunningTopK>& running, int team, int64_t heaps, int64_t k,
                             std::vector<float>& bound) {
  bound.assign(size_t(heaps), -std::numeric_limits<float>::infinity());
#pragma omp parallel
  {
    std::vector<float>& pooled = pooled_[size_t(omp_get_thread_num())];  // one heap's kept bounds from every thread
#pragma omp for schedule(static)
    for (int64_t h = 0; h < heaps; ++h) {
      pooled.clear();
      for (int t = 0; t < team; ++t) {
        const RunningTopK& r = running[size_t(t)];
        pooled.insert(pooled.end(), r.heap.begin() + h * k, r.heap.begin() + h * k + r.size[size_t(h)]);
      }
      if (int64_t(pooled.size()) < k) continue;
      std::nth_element(pooled.begin(), pooled.begin() + (k - 1), pooled.end(), std::greater<float>());
      bound[size_t(h)] = pooled[size_t(k - 1)];
    }
  }
}

// The per-thread lists → sorted_ by row (counting sort), latents ascending within each row.
void Bf16Screen::sort_by_row(int64_t B) {
  counting_sort(
      [&](auto&& visit) {
        for (const auto& list : per_thread_)
          for (const ScreenedPre& s : list) visit(s);
      },
      B, [](const ScreenedPre& s) { return s.row; }, row_start_, fill_, sorted_);
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t b = 0; b < B; ++b)
    std::sort(sorted_.begin() + row_start_[size_t(b)], sorted_.begin() + row_start_[size_t(b + 1)],
              [](const ScreenedPre& a, const ScreenedPre& c) { return a.latent < c.latent; });
}

bool Bf16Screen::screen_top_k(const float* x, int64_t B, const float* W, const ScreenRequest& request,
                              int64_t max_candidates) {
  const int64_t d = d_, m = m_;
  const ScreenRule rule = request.rule;
  const bool with_aux = request.aux_latents && request.aux_k > 0;
  const int64_t padded_rows = (B + kPanelRows - 1) / kPanelRows * kPanelRows;
  const int threads = omp_get_max_threads();
  if (pooled_.size() < size_t(threads)) pooled_.resize(size_t(threads));
  int team = 1;
  if (!screen_blocks(x, B, W, request, max_candidates, team)) return false;

  // the bound of each heap: the k-th largest lower bound over all threads (−∞ with fewer than k)
  pool_bounds(running_, team, rule == ScreenRule::RowTopK ? padded_rows : 1, request.k, bound_);
  if (with_aux) pool_bounds(running_aux_, team, padded_rows, request.aux_k, bound_aux_);

  // keep what reaches the final bound, by latent (counting sort), then the float32 u latent by latent (each row
  // of W read once) and by row again: rows ascending, latents ascending within a row
  const auto reaches = [&](const ScreenedPre& s) {
    return s.u >= bound_[rule == ScreenRule::RowTopK ? size_t(s.row) : 0] ||
           (with_aux && aux_flags_[size_t(s.latent)] && s.u >= bound_aux_[size_t(s.row)]);
  };
  counting_sort(
      [&](auto&& visit) {
        for (const auto& list : per_thread_)
          for (const ScreenedPre& s : list)
            if (reaches(s)) visit(s);
      },
      m, [](const ScreenedPre& s) { return s.latent; }, latent_start_, fill_, kept_);
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < m; ++i)
    for (int64_t q = latent_start_[size_t(i)]; q < latent_start_[size_t(i + 1)]; ++q)
      kept_[size_t(q)].u = dot(x + int64_t(kept_[size_t(q)].row) * d, W + i * d, d);
  counting_sort(
      [&](auto&& visit) {  // latents stay ascending within a row
        for (const ScreenedPre& s : kept_) visit(s);
      },
      B, [](const ScreenedPre& s) { return s.row; }, row_start_, fill_, sorted_);
  return true;
}

}  // namespace saerad::sparse
