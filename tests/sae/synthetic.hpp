#pragma once
// Synthetic embeddings from a known dictionary, for recovery and end-to-end SAE tests: `atoms` random unit
// directions in R^d; each sample is a sparse non-negative combination (each atom active with probability
// active/atoms, magnitude uniform in [0.5, 1.5]) plus Gaussian noise of standard deviation `noise` per
// coordinate. Deterministic for the seed.
#include <cmath>
#include <string>
#include <vector>

#include "core/embeddings.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"

namespace saerad::testing {

struct SyntheticData {
  Embeddings embeddings;
  std::vector<float> dictionary;  // [atoms, d], unit rows
  int64_t atoms = 0;
};

inline SyntheticData make_synthetic(int64_t n, int64_t d, int64_t atoms, double active, double noise, uint64_t seed) {
  SyntheticData s;
  s.atoms = atoms;
  Rng rng(seed);
  s.dictionary.resize(size_t(atoms * d));
  for (int64_t a = 0; a < atoms; ++a) {
    double norm = 0;
    for (int64_t j = 0; j < d; ++j) {
      const double v = rng.normal();
      s.dictionary[size_t(a * d + j)] = float(v);
      norm += v * v;
    }
    for (int64_t j = 0; j < d; ++j) s.dictionary[size_t(a * d + j)] /= float(std::sqrt(norm));
  }
  Embeddings& e = s.embeddings;
  e.vectors = MatrixF32(n, d);
  const double p = active / double(atoms);
  for (int64_t r = 0; r < n; ++r) {
    float* row = e.vectors.row(r);
    for (int64_t a = 0; a < atoms; ++a)
      if (rng.bernoulli(p)) {
        const float magnitude = float(rng.uniform(0.5, 1.5));
        for (int64_t j = 0; j < d; ++j) row[j] += magnitude * s.dictionary[size_t(a * d + j)];
      }
    for (int64_t j = 0; j < d; ++j) row[j] += float(noise * rng.normal());
    e.ids.push_back("img" + std::to_string(r));
    e.study_ids.push_back("s" + std::to_string(r));
  }
  e.model = "synthetic-v1";
  return s;
}

// Mean over true atoms of the best |cosine| with any row of W_dec [m, d].
inline double mean_best_cosine(const std::vector<float>& dictionary, int64_t atoms, const float* W_dec, int64_t m, int64_t d) {
  std::vector<double> norms(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += double(W_dec[i * d + j]) * W_dec[i * d + j];
    norms[size_t(i)] = std::sqrt(s) + 1e-30;
  }
  double total = 0;
  for (int64_t a = 0; a < atoms; ++a) {
    double best = 0;
    for (int64_t i = 0; i < m; ++i) {
      double dot = 0;
      for (int64_t j = 0; j < d; ++j) dot += double(dictionary[size_t(a * d + j)]) * W_dec[i * d + j];
      best = std::max(best, std::abs(dot) / norms[size_t(i)]);
    }
    total += best;
  }
  return total / double(atoms);
}

// Every tensor of DIR/sae_weights.safetensors concatenated in file order (for bit-identity checks).
inline std::vector<float> all_sae_weights(const std::filesystem::path& dir) {
  const auto st = SafetensorsFile::open(dir / "sae_weights.safetensors");
  std::vector<float> all;
  for (const auto& t : st.tensors()) {
    auto v = t.to_f32();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

}  // namespace saerad::testing
