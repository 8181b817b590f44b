// Folding (formats.md): for every architecture, the folded SAE on raw inputs selects the same latents as the
// unfolded one on scaled inputs, with activations × ‖d_i‖/c and reconstructions ÷ c (1e-5 relative);
// the directory written and reloaded encodes exactly as the in-memory model.
#include <gtest/gtest.h>

#include <cmath>

#include "sae/architecture.hpp"
#include "sae/dense_ops.hpp"
#include "sae/sae_export.hpp"
#include "sae/sae_model.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

constexpr int64_t kD = 8, kM = 24, kN = 40;
constexpr double kScale = 1.7;

Json cfg_for(const Architecture& arch, const ArchConfig& c) {
  Json cfg = arch.saelens_config(c);
  cfg["architecture"] = arch.saelens_name();
  cfg["saerad_architecture"] = arch.name();
  cfg["d_in"] = c.d_in;
  cfg["d_sae"] = c.d_sae;
  cfg["normalize_activations"] = "none";
  return cfg;
}

// Random parameters of a plausible trained SAE: decoder norms far from 1 (except unit-norm archs),
// non-zero biases, thresholds inside the activation range.
Params trained_like_params(const Architecture& arch, const ArchConfig& c, Rng& rng) {
  Params p(arch.layout(c));
  arch.init(c, p, rng, nullptr);
  for (float& v : p.span("W_enc")) v = float(rng.normal());
  for (const char* bias : {"b_enc", "b_gate", "b_mag", "r_mag"})
    if (p.has(bias))
      for (float& v : p.span(bias)) v = float(0.3 * rng.normal());
  for (float& v : p.span("b_dec")) v = float(0.5 * rng.normal());
  float* W_dec = p.get("W_dec");
  for (int64_t i = 0; i < c.d_sae; ++i) {
    const double norm = arch.unit_norm_decoder() ? 1.0 : 0.2 + 2.0 * rng.uniform();
    dense::random_rows(W_dec + i * c.d_in, 1, c.d_in, norm, rng);
  }
  if (p.has("log_threshold"))
    for (float& v : p.span("log_threshold")) v = float(std::log(0.3 + rng.uniform()));
  if (p.has("threshold")) {
    for (float& v : p.span("threshold")) v = float(0.3 + rng.uniform());
    p.get("threshold_initialized")[0] = 1;
  }
  return p;
}

class Folding : public ::testing::TestWithParam<std::string> {};

TEST_P(Folding, FoldedEqualsUnfolded) {
  const Architecture& arch = architecture(GetParam());
  ArchConfig c;
  c.architecture = arch.name();
  c.d_in = kD;
  c.d_sae = kM;
  c.k = 4;
  Rng rng(21);
  const Params params = trained_like_params(arch, c, rng);
  std::vector<float> raw(kN * kD), scaled(kN * kD);
  for (size_t q = 0; q < raw.size(); ++q) {
    raw[q] = float(2.0 * rng.normal());
    scaled[q] = float(double(raw[q]) * kScale);
  }
  // unfolded, training units
  std::vector<float> f(kN * kM), xhat(kN * kD), norms(kM);
  arch.encode(c, params, scaled.data(), kN, f.data());
  dense::decode(f.data(), kN, kM, params.get("W_dec"), kD, params.get("b_dec"), xhat.data());
  dense::row_norms(params.get("W_dec"), kM, kD, norms.data());

  SaelensTensors tensors = arch.to_saelens(c, params);
  fold_saelens_tensors(tensors, kScale);
  const SaeModel model = SaeModel::from_tensors(tensors, cfg_for(arch, c));
  for (float n : model.decoder_norms()) EXPECT_NEAR(n, 1.0f, 1e-5f);
  SparseActivations acts;
  model.encode(raw.data(), kN, acts);
  ASSERT_EQ(acts.rows(), kN);
  int64_t active = 0;
  for (int64_t r = 0; r < kN; ++r) {
    std::vector<int32_t> expected;
    for (int64_t i = 0; i < kM; ++i)
      if (f[r * kM + i] > 0) expected.push_back(int32_t(i));
    const auto idx = acts.row_indices(r);
    const auto val = acts.row_values(r);
    ASSERT_EQ(std::vector<int32_t>(idx.begin(), idx.end()), expected) << GetParam() << " row " << r;
    for (size_t j = 0; j < idx.size(); ++j) {
      const double want = double(f[r * kM + idx[j]]) * norms[size_t(idx[j])] / kScale;
      EXPECT_NEAR(val[j], want, 1e-5 * std::max(1.0, std::abs(want))) << GetParam();
    }
    active += int64_t(idx.size());
    std::vector<float> recon(kD);
    model.decode(idx, val, recon.data());
    for (int64_t j = 0; j < kD; ++j) {
      const double want = double(xhat[r * kD + j]) / kScale;
      EXPECT_NEAR(recon[size_t(j)], want, 1e-5 * std::max(1.0, std::abs(want))) << GetParam();
    }
  }
  EXPECT_GT(active, kN) << "too few active latents for a meaningful comparison";
  EXPECT_LT(active, kN * kM) << "every latent active: selection is not being tested";

  // written and reloaded: identical encoding
  testing::TempDir tmp;
  write_sae_directory(tmp / "sae", tensors, cfg_for(arch, c), "");
  const SaeModel loaded = SaeModel::load(tmp / "sae");
  SparseActivations again;
  loaded.encode(raw.data(), kN, again);
  EXPECT_EQ(again.indptr, acts.indptr);
  EXPECT_EQ(again.indices, acts.indices);
  EXPECT_EQ(again.values, acts.values);
  EXPECT_EQ(loaded.architecture(), arch.name());
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, Folding,
                         ::testing::Values("gated-hybrid", "gated", "relu", "topk", "batchtopk", "jumprelu"),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

}  // namespace
}  // namespace saerad
