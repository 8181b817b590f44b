#pragma once
// Inference on a saved SAE: a saerad SAE directory (folded) or a SAELens directory (`standard`, `gated`,
// `topk`, `jumprelu`). Encodes raw embeddings to sparse activations (values + indices, never a dense
// N × m matrix) and decodes them back.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "core/sparse_activations.hpp"
#include "sae/architecture.hpp"

namespace saerad {

class SaeModel {
 public:
  // Reads dir/cfg.json and dir/sae_weights.safetensors. Errors name the file and the fault (missing
  // tensor, wrong shape, unsupported architecture or normalize_activations).
  static SaeModel load(const std::filesystem::path& dir);
  // From SAELens-named tensors and a cfg (as load() would read them). fingerprint: "" = hash of the values.
  static SaeModel from_tensors(const SaelensTensors& tensors, const Json& cfg, std::string fingerprint = "");

  int64_t d_in() const { return d_in_; }
  int64_t d_sae() const { return d_sae_; }
  const std::string& architecture() const { return architecture_; }    // saerad_architecture name
  const std::string& saelens_architecture() const { return saelens_; }  // standard / gated / topk / jumprelu
  const std::string& fingerprint() const { return fingerprint_; }      // of sae_weights.safetensors
  const std::string& embeddings_model() const { return embeddings_model_; }  // cfg "model" ("" if unknown)
  const Json& config() const { return cfg_; }
  const std::filesystem::path& directory() const { return dir_; }

  // x: [n, d_in] raw embeddings → appends n rows to out (folded units); sets out.d_sae and
  // out.decoder_norm when out has none yet. Works in chunks of rows (bounded memory).
  void encode(const float* x, int64_t n, SparseActivations& out) const;
  // One sparse row → x̂: [d_in] = Σ values_j W_dec[indices_j] + b_dec.
  void decode(std::span<const int32_t> indices, std::span<const float> values, float* xhat) const;

  std::span<const float> decoder_norms() const { return decoder_norms_; }  // [d_sae] (all 1 after folding)
  std::span<const float> decoder_row(int64_t feature) const;                // [d_in]

 private:
  enum class Kind { Standard, Gated, TopK, JumpReLU };
  static SaeModel build(const SaelensTensors& tensors, const Json& cfg, std::string fingerprint, const std::string& where);
  // x: [n, d] → pre: [n, m] = (x − b_dec?) W_enc (+ b_enc for standard/topk/jumprelu)
  void preactivations(const float* x, int64_t n, float* pre) const;

  Kind kind_ = Kind::Standard;
  int64_t d_in_ = 0, d_sae_ = 0, k_ = 0;
  bool apply_b_dec_to_input_ = true;
  std::vector<float> W_enc_;  // [d, m] (SAELens layout)
  std::vector<float> W_dec_;  // [m, d]
  std::vector<float> b_dec_, b_enc_, b_gate_, b_mag_, exp_r_mag_, threshold_, decoder_norms_;
  Json cfg_;
  std::string architecture_, saelens_, fingerprint_, embeddings_model_;
  std::filesystem::path dir_;
};

}  // namespace saerad
