// `gated`: the original gated SAE — unit-norm decoder rows, plain L1 on ReLU(π_gate), and the decoder frozen
// in the auxiliary reconstruction.
#include "sae/gated_common.hpp"

namespace saerad {

namespace {
class OriginalGatedArchitecture final : public GatedArchitecture {
 public:
  OriginalGatedArchitecture() : GatedArchitecture("gated", /*unit_norm=*/true) {}
  GatedVariant variant(const ArchConfig&) const override {
    return {.penalty_weighted_by_decoder_norm = false, .frozen_aux_decoder = true};
  }
};
}  // namespace

std::unique_ptr<Architecture> make_gated_architecture() { return std::make_unique<OriginalGatedArchitecture>(); }

}  // namespace saerad
