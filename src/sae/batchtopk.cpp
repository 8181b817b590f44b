// `batchtopk` — the B·k largest activations over the whole batch during training; at inference a
// per-feature threshold θ_i (one shared value at first) kept as an EMA of the smallest activation of the
// feature kept in each batch. Exported in SAELens' `jumprelu` form with θ as `threshold`.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sae/topk_common.hpp"

namespace saerad {

namespace {
class BatchTopkArchitecture final : public TopkFamilyArchitecture {
 public:
  BatchTopkArchitecture() : TopkFamilyArchitecture(/*batch_selection=*/true) {}
  std::string name() const override { return "batchtopk"; }
  std::string saelens_name() const override { return "jumprelu"; }

  void after_step(const ArchConfig& c, Params& params, const StepOutputs<float>& out) const override {
    Architecture::after_step(c, params, out);  // unit-norm decoder rows
    float* theta = params.get("threshold");
    float& initialized = params.get("threshold_initialized")[0];
    const float rate = float(c.threshold_ema);
    if (initialized == 0.0f) {  // the first batch sets one shared value: its smallest kept activation
      float smallest = INFINITY;
      for (float v : out.min_active) smallest = std::min(smallest, v);
      if (!std::isfinite(smallest)) return;
      std::fill(theta, theta + c.d_sae, smallest);
      initialized = 1.0f;
      return;
    }
    for (int64_t i = 0; i < c.d_sae; ++i)
      if (std::isfinite(out.min_active[size_t(i)]))
        theta[i] = rate * theta[i] + (1.0f - rate) * out.min_active[size_t(i)];
  }

  void encode(const ArchConfig& c, const Params& params, const float* x, int64_t n, float* f) const override {
    topk_preactivations(params, x, n, c.d_in, c.d_sae, f);
    const float* theta = params.get("threshold");
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < c.d_sae; ++i) {
        float& v = f[b * c.d_sae + i];
        v = v > 0.0f && v > theta[i] ? v : 0.0f;
      }
  }
  Json saelens_config(const ArchConfig& c) const override {
    return {{"apply_b_dec_to_input", true}, {"k", c.k}, {"threshold_ema", c.threshold_ema}};
  }
};
}  // namespace

std::unique_ptr<Architecture> make_batchtopk_architecture() { return std::make_unique<BatchTopkArchitecture>(); }

}  // namespace saerad
