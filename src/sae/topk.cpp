// `topk` — Gao et al. 2024: the k largest positive pre-activations per sample, AuxK for dead latents,
// unit-norm decoder (the shared kernel is in topk_common.cpp).
#include <vector>

#include "sae/topk_common.hpp"

namespace saerad {

namespace {
class TopkArchitecture final : public TopkFamilyArchitecture {
 public:
  TopkArchitecture() : TopkFamilyArchitecture(/*batch_selection=*/false) {}
  std::string name() const override { return "topk"; }
  std::string saelens_name() const override { return "topk"; }
  void encode(const ArchConfig& c, const Params& params, const float* x, int64_t n, float* f) const override {
    std::vector<float> z(size_t(n * c.d_sae));
    topk_preactivations(params, x, n, c.d_in, c.d_sae, z.data());
    TopkWorkspace<float> ws;
    select_top_k_rows(z.data(), n, c.d_sae, c.k, f, ws);
  }
  Json saelens_config(const ArchConfig& c) const override {
    return {{"apply_b_dec_to_input", true}, {"k", c.k}, {"activation_fn_kwargs", {{"k", c.k}}}};
  }
};
}  // namespace

std::unique_ptr<Architecture> make_topk_architecture() { return std::make_unique<TopkArchitecture>(); }

}  // namespace saerad
