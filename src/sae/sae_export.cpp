#include "sae/sae_export.hpp"

#include <cmath>

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
