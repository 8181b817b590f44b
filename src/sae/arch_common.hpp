#pragma once
// Pieces every architecture shares: tied initialisation and the SAELens export of the common tensors.
#include <span>
#include <string>

#include "sae/architecture.hpp"

namespace saerad {

// W_dec rows: random directions of norm `decoder_norm`; W_enc rows = W_dec rows (W_gate = W_decᵀ in
// SAELens' layout); biases 0; b_dec = b_dec_init (null: 0).
void init_tied_weights(const ArchConfig& config, Params& params, Rng& rng, const float* b_dec_init, double decoder_norm);

// W_enc [m, d] → SAELens W_enc [d, m]; W_dec [m, d] and b_dec [d] as they are.
SaelensTensors common_saelens_tensors(const ArchConfig& config, const Params& params);
void add_saelens_vector(SaelensTensors& tensors, const std::string& name, std::span<const float> values);

}  // namespace saerad
