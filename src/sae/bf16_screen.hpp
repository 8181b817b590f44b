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
  // x: [B, d], W: [m, d], threshold: [m] → every (b, i) whose float32 u_bi = x_b · w_i exceeds threshold_i is
  // among candidates(), rows ascending, latents ascending within a row (row_start: [B + 1]). Returns false
  // (nothing usable) when more than max_candidates pass or a norm of x or W is not finite: the caller computes
  // u in float32.
  bool run(const float* x, int64_t B, const float* W, const float* threshold, int64_t max_candidates);
  const std::vector<int64_t>& row_start() const { return row_start_; }
  const std::vector<ScreenedPre>& candidates() const { return sorted_; }
  int64_t workspace_bytes() const;

 private:
  int64_t d_ = 0, m_ = 0, pairs_ = 0, padded_m_ = 0, max_batch_ = 0;
  std::vector<uint32_t> w_bf16_;      // [padded_m, pairs] two bf16 per word (k = 2p low half, 2p + 1 high)
  std::vector<float> w_margin_;       // [padded_m] c·‖w_i‖ (0 for padding)
  std::vector<float> threshold_;      // [padded_m] (+∞ for padding)
  std::vector<uint32_t> x_panels_;    // [B / 64, pairs, 64] row panels of x in bf16 pairs
  std::vector<float> x_norm_;         // [padded B] ‖x_b‖ (0 for padding)
  std::vector<std::vector<ScreenedPre>> per_thread_;  // what each thread's latent blocks let through
  std::vector<int64_t> row_start_;    // [B + 1]
  std::vector<int64_t> fill_;         // [B] counting-sort cursors
  std::vector<ScreenedPre> sorted_;   // by row, then latent
};

}  // namespace saerad::sparse
