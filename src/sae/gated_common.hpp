#pragma once
// The gated SAE with weight sharing (Rajamanoharan et al. 2024), shared by `gated-hybrid` (norm-weighted
// penalty, unconstrained decoder, live or frozen auxiliary decoder) and `gated` (unit-norm decoder, plain
// L1, frozen auxiliary decoder). Tensors (training layout): W_enc [m, d] (= W_gate), b_gate, b_mag,
// r_mag [m], W_dec [m, d], b_dec [d].
#include <vector>

#include "sae/architecture.hpp"

namespace saerad {

struct GatedVariant {
  bool penalty_weighted_by_decoder_norm = true;  // λ Σ ReLU(π_gate)_i · ‖d_i‖  (else λ Σ ReLU(π_gate)_i)
  bool frozen_aux_decoder = false;  // stop-gradient on W_dec, b_dec in the aux term and ‖d_i‖ in the penalty
};

template <class T>
struct GatedWorkspace {
  std::vector<T> xt, xhat, xaux, dxhat, dxaux, dxt;  // [B, d]
  std::vector<T> u, f, a, df, da, du;                // [B, m]
  std::vector<T> norms, exp_r;                       // [m]
  void reserve(int64_t B, int64_t d, int64_t m);
};

// Reference forward + backward of one batch.
//   x: [B, d] → grad (every tensor overwritten), out.stats / out.fired / out.min_active.
// Forward:  x̃ = x − b_dec;  u = x̃ W_encᵀ;  π_gate = u + b_gate;  π_mag = exp(r_mag) ⊙ u + b_mag
//           f = 1[π_gate > 0] ⊙ ReLU(π_mag);  a = ReLU(π_gate)
//           x̂ = f W_dec + b_dec;  x̂_aux = a W_dec' + b_dec'   (primes: frozen copies when frozen)
// Loss:     mean_b ‖x − x̂‖² + λ Σ_i a_i w_i + ‖x − x̂_aux‖²,  w_i = ‖d_i‖ (or 1)
template <class T>
void gated_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, int64_t d, int64_t m,
                            const StepContext<T>& ctx, GatedVariant variant, GatedWorkspace<T>& ws,
                            BasicParams<T>& grad, StepOutputs<T>& out);

// Inference: x: [n, d] → f: [n, m] (training units).
void gated_encode(const Params& p, const float* x, int64_t n, int64_t d, int64_t m, float* f);

class GatedArchitecture : public Architecture {
 public:
  GatedArchitecture(std::string name, bool unit_norm) : name_(std::move(name)), unit_norm_(unit_norm) {}
  std::string name() const override { return name_; }
  std::string saelens_name() const override { return "gated"; }
  bool unit_norm_decoder() const override { return unit_norm_; }
  ParamLayout layout(const ArchConfig& config) const override;
  void init(const ArchConfig& config, Params& params, Rng& rng, const float* b_dec_init) const override;
  std::unique_ptr<StepKernel<float>> reference_kernel(const ArchConfig& config, int64_t max_batch) const override;
  std::unique_ptr<StepKernel<double>> reference_kernel_f64(const ArchConfig& config, int64_t max_batch) const override;
  std::unique_ptr<StepKernel<float>> fast_kernel(const ArchConfig& config, int64_t max_batch,
                                                 const FastKernelOptions& options) const override;
  void encode(const ArchConfig& config, const Params& params, const float* x, int64_t n, float* f) const override;
  SaelensTensors to_saelens(const ArchConfig& config, const Params& params) const override;
  Json saelens_config(const ArchConfig& config) const override;

  virtual GatedVariant variant(const ArchConfig& config) const = 0;

 private:
  std::string name_;
  bool unit_norm_;
};

}  // namespace saerad
