#include "sae/sae_export.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace saerad {

namespace fs = std::filesystem;

std::vector<float> fold_saelens_tensors(SaelensTensors& t, double input_scale) {
  auto& W_enc = t.at("W_enc");  // [d, m]
  auto& W_dec = t.at("W_dec");  // [m, d]
  const int64_t d = W_enc.shape.at(0), m = W_enc.shape.at(1);
  const float c = float(input_scale);
  // (1) input scale
  for (float& v : W_enc.values) v *= c;
  for (float& v : W_dec.values) v /= c;
  for (float& v : t.at("b_dec").values) v /= c;
  // (2) decoder norms
  std::vector<float> norms(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += double(W_dec.values[size_t(i * d + j)]) * W_dec.values[size_t(i * d + j)];
    norms[size_t(i)] = float(std::sqrt(s));
  }
  for (int64_t i = 0; i < m; ++i) {
    const float n = norms[size_t(i)];
    if (n == 0.0f) continue;  // a zero row decodes nothing; leave the feature as it is
    for (int64_t j = 0; j < d; ++j) {
      W_dec.values[size_t(i * d + j)] /= n;
      W_enc.values[size_t(j * m + i)] *= n;
    }
    for (const char* name : {"b_enc", "b_gate", "b_mag", "threshold"})
      if (auto it = t.find(name); it != t.end()) it->second.values[size_t(i)] *= n;
  }
  return norms;
}

std::vector<float> fold_input_standardisation(SaelensTensors& t, std::span<const float> mean,
                                              std::span<const float> scale, bool apply_b_dec_to_input) {
  auto& W_enc = t.at("W_enc");  // [d, m]
  auto& W_dec = t.at("W_dec");  // [m, d]
  auto& b_dec = t.at("b_dec");  // [d]
  const int64_t d = W_enc.shape.at(0), m = W_enc.shape.at(1);
  if (int64_t(mean.size()) != d || int64_t(scale.size()) != d)
    fail("fold_input_standardisation: the SAE takes d = {} inputs, the standardisation has {} means and {} scales", d,
         mean.size(), scale.size());
  for (int64_t j = 0; j < d; ++j)
    if (!(scale[size_t(j)] > 0.0f) || !std::isfinite(scale[size_t(j)]) || !std::isfinite(mean[size_t(j)]))
      fail("fold_input_standardisation: dimension {} has mean {} and scale {} (a scale must be finite and > 0)", j,
           mean[size_t(j)], scale[size_t(j)]);
  // pre = (z − b_dec) W_enc = (x − (mean + scale ⊙ b_dec)) diag(1/scale) W_enc
  for (int64_t j = 0; j < d; ++j) {
    const float inv = 1.0f / scale[size_t(j)];
    for (int64_t i = 0; i < m; ++i) W_enc.values[size_t(j * m + i)] *= inv;
  }
  if (auto it = t.find("b_enc"); it != t.end() && !apply_b_dec_to_input && !t.count("b_gate")) {
    // pre = z W_enc + b_enc = x W_enc' + (b_enc − mean W_enc'), with W_enc' = diag(1/scale) W_enc (just set)
    for (int64_t j = 0; j < d; ++j) {
      const float mj = mean[size_t(j)];
      for (int64_t i = 0; i < m; ++i) it->second.values[size_t(i)] -= mj * W_enc.values[size_t(j * m + i)];
    }
  }
  // x̂ = mean + scale ⊙ (f W_dec + b_dec)
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < d; ++j) W_dec.values[size_t(i * d + j)] *= scale[size_t(j)];
  for (int64_t j = 0; j < d; ++j) b_dec.values[size_t(j)] = mean[size_t(j)] + scale[size_t(j)] * b_dec.values[size_t(j)];
  return fold_saelens_tensors(t, 1.0);
}

void write_sae_directory(const fs::path& dir, const SaelensTensors& tensors, const Json& cfg,
                         const std::string& provenance_json) {
  fs::create_directories(dir);
  SafetensorsWriter w;
  for (const auto& [name, tensor] : tensors) w.add_borrowed(name, DType::F32, tensor.shape, tensor.values.data(), tensor.values.size() * 4);
  w.set_metadata("format", "pt");
  if (!provenance_json.empty()) w.set_metadata("provenance", provenance_json);
  w.write(dir / kSaeWeightsFile);
  write_json_file(dir / kSaeConfigFile, cfg);
}

}  // namespace saerad
