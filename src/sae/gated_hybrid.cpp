// `gated-hybrid` (the default): the gated SAE with Anthropic's unconstrained decoder norms — the sparsity
// penalty is weighted by ‖d_i‖ and the auxiliary decoder is live (default) or frozen (method.md §2).
#include "sae/gated_common.hpp"

namespace saerad {

namespace {
class GatedHybridArchitecture final : public GatedArchitecture {
 public:
  GatedHybridArchitecture() : GatedArchitecture("gated-hybrid", /*unit_norm=*/false) {}
  GatedVariant variant(const ArchConfig& config) const override {
    return {.penalty_weighted_by_decoder_norm = true,
            .frozen_aux_decoder = config.aux_decoder == AuxDecoder::Frozen};
  }
};
}  // namespace

std::unique_ptr<Architecture> make_gated_hybrid_architecture() { return std::make_unique<GatedHybridArchitecture>(); }

}  // namespace saerad
