#pragma once
// TopK (Gao et al. 2024) and BatchTopK share one reference kernel: z = W_enc(x − b_dec) + b_enc, keep the k
// largest positive z per sample (topk) or the B·k largest over the whole batch (batchtopk); loss = normalised
// MSE ‖x − x̂‖² / Σ_b ‖x_b − mean(x)‖² (summed over the batch) + AuxK. Unit-norm decoder rows throughout.
// Tensors: W_enc [m, d], b_enc [m], W_dec [m, d], b_dec [d] (+ batchtopk's `threshold` buffer [m]).
#include <vector>

#include "sae/architecture.hpp"

namespace saerad {

template <class T>
struct TopkWorkspace {
  std::vector<T> xt, xhat, dxhat, residual, ehat, dehat, dxt;  // [B, d]
  std::vector<T> z, f, faux, df, dfaux;                        // [B, m]
  std::vector<int32_t> idx, scratch;
  std::vector<int64_t> flat;
  void reserve(int64_t B, int64_t d, int64_t m);
};

// x: [B, d] → grad, out.
// Forward: x̃ = x − b_dec; z = x̃ W_encᵀ + b_enc; f = z on the selected latents, else 0; x̂ = f W_dec + b_dec
// Loss:    Σ_b ‖x_b − x̂_b‖² / V,  V = Σ_b ‖x_b − x̄‖²
//        + AuxK: c · Σ_b ‖e_b − ê_b‖² / Σ_b ‖e_b − ē‖²,  e = x − x̂ (stop-gradient), ê = f_aux W_dec (no b_dec),
//          f_aux = z on the k_aux largest positive z among dead latents (none dead → no term)
template <class T>
void topk_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, const ArchConfig& config,
                           bool batch_selection, const StepContext<T>& ctx, TopkWorkspace<T>& ws,
                           BasicParams<T>& grad, StepOutputs<T>& out);

// z: [B, m] → f: [B, m]: the k largest positive per row (ties to the lower index), the rest 0.
template <class T>
void select_top_k_rows(const T* z, int64_t B, int64_t m, int64_t k, T* f, TopkWorkspace<T>& ws);

// x: [n, d] → z: [n, m] = (x − b_dec) W_encᵀ + b_enc
void topk_preactivations(const Params& p, const float* x, int64_t n, int64_t d, int64_t m, float* z);

class TopkFamilyArchitecture : public Architecture {
 public:
  explicit TopkFamilyArchitecture(bool batch_selection) : batch_selection_(batch_selection) {}
  bool unit_norm_decoder() const override { return true; }
  ParamLayout layout(const ArchConfig& config) const override;
  void init(const ArchConfig& config, Params& params, Rng& rng, const float* b_dec_init) const override;
  std::unique_ptr<StepKernel<float>> reference_kernel(const ArchConfig& config, int64_t max_batch) const override;
  std::unique_ptr<StepKernel<double>> reference_kernel_f64(const ArchConfig& config, int64_t max_batch) const override;
  std::unique_ptr<StepKernel<float>> fast_kernel(const ArchConfig& config, int64_t max_batch,
                                                 const FastKernelOptions& options) const override;
  SaelensTensors to_saelens(const ArchConfig& config, const Params& params) const override;

 protected:
  bool batch_selection_;
};

}  // namespace saerad
