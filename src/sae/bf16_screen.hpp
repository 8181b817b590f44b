#pragma once
// The screened encoder of the fast SAE kernels (issue 4). On CPUs with AVX512-BF16, the encoder product
// u = x W_encᵀ is first computed in bfloat16 (VDPBF16PS: twice the multiply-adds of a float32 FMA per
// instruction, and no [B, m] matrix written: each 64-row × 6-latent tile is tested in registers). That product
// is only a screen. Rounding x and w to bf16 (relative error 2⁻⁸ each) plus float32 accumulation moves a dot by
// at most c·‖x‖·‖w‖ with c = 2⁻⁷ + 2⁻¹⁵ + d·2⁻²¹ (the float32 re-computation's own error included), so a
// (row, latent) whose screened u plus that bound does not exceed the selector's threshold cannot pass the
// selector's float32 test. Everything else — about twice the entries finally selected — has its u computed again
// in float32 (one d-long dot) and goes to the selector. Selection and pre-activations are thus float32's; the
// screen only decides what need not be computed. Results do not depend on the thread count.
#include <cstdint>
#include <vector>

namespace saerad::sparse {

// The CPU and the OS run AVX512-BF16 (and AVX512F/BW/VL).
bool bf16_screen_supported();

// What a selection needs to see (RowSelector::screen_request):
//   Threshold: latent i of a row can only be selected where u_i > per_latent_i;
//   RowTopK:   the k largest positive z = u + per_latent of each row (topk);
//   BatchTopK: the k largest positive z over the whole batch (batchtopk; k = B·k of the architecture).
// For the top-k rules the screen keeps, per thread, the k best *lower* bounds (screened z − bound) seen so far:
// their least is never above the true k-th largest z, so a (row, latent) whose *upper* bound stays below it
// cannot be selected. Threads' running bounds only make the kept set larger; the final filter uses the k-th
// largest lower bound over all latents, so the result does not depend on the thread count.
enum class ScreenRule { None, Threshold, RowTopK, BatchTopK };

struct ScreenRequest {
  ScreenRule rule = ScreenRule::None;
  const float* per_latent = nullptr;  // [m] the threshold (Threshold) or the bias b of z = u + b (top-k rules)
  int64_t k = 0;                      // top-k rules: per row (RowTopK) or over the batch (BatchTopK)
  // Top-k rules: also the aux_k largest positive z of each row among the latents flagged here (AuxK's dead
  // latents), with running bounds of their own; null: none.
  const uint8_t* aux_latents = nullptr;
  int64_t aux_k = 0;
};

// One (row, latent) that passed the screen, with its float32 pre-activation.
struct ScreenedPre {
  int32_t row = 0;
  int32_t latent = 0;
  float u = 0;
};

class Bf16Screen {
 public:
  // Workspace for batches of up to max_batch rows of x: [·, d] and W: [m, d] (bf16 copy of W, row panels of x).
  void reserve(int64_t max_batch, int64_t d, int64_t m);
  // x: [B, d], W: [m, d], request → every (b, i) the request's rule (and AuxK part) may select,
  // judged on float32 u_bi = sparse::dot(x_b, w_i), is among candidates(), rows ascending, latents ascending
  // within a row (row_start: [B + 1]), carrying that float32 u. Returns false (nothing usable) when more than
  // max_candidates pass the screen, or a row of x or W has a non-finite norm or a non-zero norm below 2⁻⁴⁵
  // (denormals, which the bf16 instructions flush, could then matter): the caller computes u in float32.
  // For the top-k rules max_candidates bounds what passes the threads' running bounds (memory), which depends
  // on the thread count (each thread takes a fixed share of the latents): set it well above
  // T·k·(1 + ln(m / (T·k))) per row for T threads.
  bool run(const float* x, int64_t B, const float* W, const ScreenRequest& request, int64_t max_candidates);
  const std::vector<int64_t>& row_start() const { return row_start_; }
  const std::vector<ScreenedPre>& candidates() const { return sorted_; }
  int64_t workspace_bytes() const;

  // Per thread: the k best lower bounds seen so far of each row (RowTopK) or of the batch (BatchTopK, one heap).
  struct RunningTopK {
    int64_t k = 0;
    std::vector<float> heap;    // [heaps, k] min-heaps
    std::vector<int64_t> size;  // [heaps]
    std::vector<float> floor;   // [heaps] least kept once full, −∞ before
    void reset(int64_t heaps, int64_t capacity);
    void offer(int64_t h, float lower_bound);
  };

 private:
  bool screen_blocks(const float* x, int64_t B, const float* W, const ScreenRequest& request, int64_t max_candidates,
                     int& team);
  bool screen_top_k(const float* x, int64_t B, const float* W, const ScreenRequest& request, int64_t max_candidates);
  void sort_by_row(int64_t B);
  void pool_bounds(const std::vector<RunningTopK>& running, int team, int64_t heaps, int64_t k,
                   std::vector<float>& bound);

  int64_t d_ = 0, m_ = 0, pairs_ = 0, padded_m_ = 0, max_batch_ = 0;
  std::vector<uint32_t> w_bf16_;             // [padded_m, pairs] two bf16 per word (k = 2p low half, 2p + 1 high)
  std::vector<float> w_margin_;              // [padded_m] c·‖w_i‖ (0 for padding)
  std::vector<float> threshold_;             // [padded_m] Threshold: per_latent (+∞ for padding)
  std::vector<float> bias_low_, bias_high_;  // [padded_m] top-k rules: the bias rounded down / up (−∞ padding)
  std::vector<uint32_t> x_panels_;           // [B / 64, pairs, 64] row panels of x in bf16 pairs
  std::vector<float> x_norm_;                // [padded B] ‖x_b‖ (0 for padding)
  std::vector<std::vector<ScreenedPre>> per_thread_;  // what each thread's latent blocks let through
  std::vector<uint8_t> aux_flags_;                    // [padded_m] the request's aux_latents (0 for padding)
  std::vector<RunningTopK> running_, running_aux_;    // [threads] top-k rules: main and AuxK bounds
  std::vector<float> bound_, bound_aux_;    // [heaps], [padded B]: the k-th largest lower bound over all threads
  std::vector<std::vector<float>> pooled_;  // [threads] scratch: one heap's bounds from every thread
  std::vector<ScreenedPre> kept_;           // top-k rules: what passed the final bound, by latent
  std::vector<int64_t> latent_start_;       // [m + 1]
  std::vector<int64_t> row_start_;          // [B + 1]
  std::vector<int64_t> fill_;               // counting-sort cursors
  std::vector<ScreenedPre> sorted_;         // by row, then latent
};

}  // namespace saerad::sparse
