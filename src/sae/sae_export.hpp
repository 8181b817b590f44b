#pragma once
// Export of a trained SAE in SAELens names and shapes, with the folding of docs/formats.md:
// (1) the input scale c (the SAE was trained on c·x): W_enc ← c·W_enc, W_dec ← W_dec/c, b_dec ← b_dec/c;
// (2) decoder norms: each feature's encoder column and its biases/threshold × ‖d_i‖, d_i ← d_i/‖d_i‖
//     (gated: W_enc column, b_gate, b_mag scale; r_mag unchanged).
// After folding the SAE takes raw embeddings, every W_dec row has unit norm, activations are in raw units.
#include <filesystem>
#include <span>

#include "core/json_io.hpp"
#include "sae/architecture.hpp"

namespace saerad {

inline constexpr const char* kSaeWeightsFile = "sae_weights.safetensors";
inline constexpr const char* kSaeConfigFile = "cfg.json";

// Folds in place, in the order above. Returns the decoder norms used in step (2) ([d_sae], after step 1).
std::vector<float> fold_saelens_tensors(SaelensTensors& tensors, double input_scale);

// Folds an input standardisation into folded SAE tensors (as fold_saelens_tensors leaves them): the SAE was
// trained on z = (x − mean) / scale per dimension (every scale > 0); afterwards it takes x itself.
// W_enc row j ← W_enc row j / scale_j; b_dec ← mean + scale ⊙ b_dec; W_dec column j ← scale_j · W_dec column j;
// where b_dec is not subtracted from the input (apply_b_dec_to_input false, b_enc present)
// b_enc ← b_enc − (mean / scale)ᵀ W_enc. Then step (2) above re-normalises the decoder rows. Returns the
// decoder norms of that step: the folded SAE's activation of feature i on x equals norms[i] × the original
// SAE's on z, and its reconstruction of x is mean + scale ⊙ (the original's reconstruction of z).
std::vector<float> fold_input_standardisation(SaelensTensors& tensors, std::span<const float> mean,
                                              std::span<const float> scale, bool apply_b_dec_to_input = true);

// Writes sae_weights.safetensors (F32, atomically, metadata `provenance`) and cfg.json into dir.
void write_sae_directory(const std::filesystem::path& dir, const SaelensTensors& tensors, const Json& cfg,
                         const std::string& provenance_json);

}  // namespace saerad
