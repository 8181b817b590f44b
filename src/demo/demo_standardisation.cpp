#include "demo/demo_standardisation.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/safetensors.hpp"
#include "sae/sae_export.hpp"

namespace saerad::demo {

namespace fs = std::filesystem;

Standardisation fit_standardisation(const Embeddings& e, const std::vector<int64_t>& rows) {
  const int64_t d = e.dim();
  std::vector<double> sum(size_t(d), 0.0), sq(size_t(d), 0.0);
  for (int64_t r : rows) {
    const float* x = e.vectors.row(r);
    for (int64_t j = 0; j < d; ++j) {
      sum[size_t(j)] += x[j];
      sq[size_t(j)] += double(x[j]) * x[j];
    }
  }
  const double n = double(std::max<size_t>(1, rows.size()));
  Standardisation s;
  s.mean.resize(size_t(d));
  s.scale.resize(size_t(d));
  for (int64_t j = 0; j < d; ++j) {
    const double m = sum[size_t(j)] / n, var = std::max(0.0, sq[size_t(j)] / n - m * m);
    s.mean[size_t(j)] = float(m);
    s.scale[size_t(j)] = var > 1e-10 ? float(std::sqrt(var)) : 1.0f;
  }
  return s;
}

void apply_standardisation(Embeddings& e, const Standardisation& s) {
  const int64_t d = e.dim();
  if (int64_t(s.mean.size()) != d || int64_t(s.scale.size()) != d)
    fail("apply_standardisation: {}-dim embeddings, a {}-dim standardisation", d, s.mean.size());
  for (int64_t r = 0; r < e.size(); ++r) {
    float* x = e.vectors.row(r);
    for (int64_t j = 0; j < d; ++j) x[j] = (x[j] - s.mean[size_t(j)]) / s.scale[size_t(j)];
  }
}

std::vector<float> fold_standardisation_into_sae(const fs::path& dir, const Standardisation& s) {
  const fs::path weights = dir / kSaeWeightsFile, cfg_path = dir / kSaeConfigFile;
  SaelensTensors tensors;
  std::string provenance;
  {
    const SafetensorsFile file = SafetensorsFile::open(weights);
    for (const TensorView& view : file.tensors()) tensors[view.name] = {view.shape, view.to_f32()};
    provenance = file.metadata_or("provenance");
  }
  Json cfg = read_json_file(cfg_path);
  if (cfg.value("input_standardisation_folded", false)) fail("{}: the input standardisation is already folded", cfg_path);
  const std::vector<float> factors =
      fold_input_standardisation(tensors, s.mean, s.scale, cfg.value("apply_b_dec_to_input", true));
  cfg["input_standardisation_folded"] = true;
  write_sae_directory(dir, tensors, cfg, provenance);
  return factors;
}

}  // namespace saerad::demo
