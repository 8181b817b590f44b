#pragma once
// The demo's input standardisation: the builtin encoder's dimensions differ in scale by orders of magnitude and
// share a large offset, which lets a few dimensions dominate an SAE's reconstruction loss. The demo trains its
// SAE on z = (x − mean) / scale, fitted per dimension on the training split, then folds the standardisation
// into the saved SAE (sae/sae_export.hpp, fold_input_standardisation), so the SAE directory takes raw
// encoder output and carries the encoder's plain fingerprint (serve and `report --image` accept it).
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/embeddings.hpp"

namespace saerad::demo {

struct Standardisation {
  std::vector<float> mean, scale;  // [d]; scale > 0 (1 where a dimension is constant on the rows)
};

// Mean and standard deviation over `rows` of e; dimensions with variance ≤ 1e-10 get scale 1 (they are
// centred only, so they stay ≈ 0 on the rows and the fold stays exact).
Standardisation fit_standardisation(const Embeddings& e, const std::vector<int64_t>& rows);

// x ← (x − mean) / scale, every row.
void apply_standardisation(Embeddings& e, const Standardisation& s);

// Rewrites the SAE directory `dir` (cfg.json + sae_weights.safetensors, as train_sae wrote them for inputs z)
// so it takes x: the weights folded, the provenance metadata kept, cfg.json's `input_standardisation_folded`
// set. Returns the per-feature factors (activation on x = factor × activation on z).
std::vector<float> fold_standardisation_into_sae(const std::filesystem::path& dir, const Standardisation& s);

}  // namespace saerad::demo
