#pragma once
// The training checkpoint (SAE dir/checkpoint/state.safetensors, written atomically): unfolded parameters,
// Adam moments and step count, the data RNG state, the epoch's sample order and position, dead-latent
// counters, and `info` (options, input scale, dataset fingerprint) that a resume must match.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/json_io.hpp"
#include "core/rng.hpp"
#include "sae/optimizer.hpp"
#include "sae/params.hpp"

namespace saerad {

struct TrainingState {
  int64_t step = 0;                          // optimizer steps done
  int64_t epoch = 0;                         // passes started over the training split
  int64_t position = 0;                      // next index into `order`
  Rng data_rng{0};                           // reshuffles `order` at each epoch
  std::vector<int64_t> order;                // training rows (indices into the embeddings) in this epoch's order
  std::vector<int64_t> samples_since_fired;  // [m]
  AdamState adam;
  Params params;                             // unfolded, training units
};

std::filesystem::path checkpoint_path(const std::filesystem::path& sae_dir);
void save_checkpoint(const std::filesystem::path& sae_dir, const TrainingState& state, const Json& info);
// Restores state (whose params must already have the right layout); returns the saved info.
// Errors name the file when a tensor is missing or has the wrong size.
Json load_checkpoint(const std::filesystem::path& sae_dir, TrainingState& state);

}  // namespace saerad
