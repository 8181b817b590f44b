// SAELens-format directories (written here with SAELens' tensor names, shapes and cfg.json keys, decoder rows
// NOT unit-norm) load and encode as the equivalent saerad SAE: the same parameters mapped to saerad's
// training layout and run through the architecture's own encoder. decoder_norm reports the true norms.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/safetensors.hpp"
#include "sae/architecture.hpp"
#include "sae/dense_ops.hpp"
#include "sae/sae_model.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

constexpr int64_t kD = 6, kM = 16, kN = 30;

struct Case {
  std::string saelens, saerad;
};

void write_saelens_dir(const std::filesystem::path& dir, const std::string& architecture, const SaelensTensors& tensors,
                       int64_t k, bool apply_b_dec) {
  std::filesystem::create_directories(dir);
  SafetensorsWriter w;
  for (const auto& [name, t] : tensors) w.add_f32(name, t.shape, t.values);
  w.set_metadata("format", "pt");
  w.write(dir / "sae_weights.safetensors");
  Json cfg = {{"architecture", architecture},
              {"d_in", kD},
              {"d_sae", kM},
              {"dtype", "float32"},
              {"device", "cpu"},
              {"model_name", "gpt2-small"},
              {"hook_name", "blocks.8.hook_resid_pre"},
              {"hook_layer", 8},
              {"context_size", 128},
              {"prepend_bos", true},
              {"apply_b_dec_to_input", apply_b_dec},
              {"normalize_activations", "none"},
              {"finetuning_scaling_factor", false},
              {"activation_fn_str", architecture == "topk" ? "topk" : "relu"},
              {"activation_fn_kwargs", architecture == "topk" ? Json{{"k", k}} : Json::object()}};
  write_json_file(dir / "cfg.json", cfg);
}

class SaelensDirectory : public ::testing::TestWithParam<Case> {};

TEST_P(SaelensDirectory, EncodesAsTheEquivalentSaeradSae) {
  const Case c = GetParam();
  const Architecture& arch = architecture(c.saerad);
  ArchConfig config;
  config.d_in = kD;
  config.d_sae = kM;
  config.k = 3;
  Rng rng(5);
  // SAELens tensors, random, decoder norms in [0.3, 2.3]
  SaelensTensors t;
  t["W_enc"] = {{kD, kM}, {}};
  for (int64_t q = 0; q < kD * kM; ++q) t["W_enc"].values.push_back(float(rng.normal()));
  t["W_dec"] = {{kM, kD}, std::vector<float>(kM * kD)};
  for (int64_t i = 0; i < kM; ++i) dense::random_rows(t["W_dec"].values.data() + i * kD, 1, kD, 0.3 + 2 * rng.uniform(), rng);
  auto vec = [&](double mean, double sd) {
    SaelensTensor v{{kM}, {}};
    for (int64_t i = 0; i < kM; ++i) v.values.push_back(float(mean + sd * rng.normal()));
    return v;
  };
  t["b_dec"] = {{kD}, {}};
  for (int64_t j = 0; j < kD; ++j) t["b_dec"].values.push_back(float(0.4 * rng.normal()));
  if (c.saelens == "gated") {
    t["b_gate"] = vec(0, 0.3), t["b_mag"] = vec(0, 0.3), t["r_mag"] = vec(0, 0.3);
  } else {
    t["b_enc"] = vec(0, 0.3);
  }
  if (c.saelens == "jumprelu") {
    t["threshold"] = vec(0.8, 0);
    for (float& v : t["threshold"].values) v = float(0.3 + rng.uniform());
  }
  testing::TempDir tmp;
  const bool apply_b_dec = c.saelens != "standard";  // saerad's relu is SAELens standard without b_dec on the input
  write_saelens_dir(tmp / "sae", c.saelens, t, config.k, apply_b_dec);
  const SaeModel model = SaeModel::load(tmp / "sae");
  EXPECT_EQ(model.saelens_architecture(), c.saelens);
  EXPECT_EQ(model.d_in(), kD);
  EXPECT_EQ(model.d_sae(), kM);

  // the equivalent saerad parameters (training layout: W_enc transposed; jumprelu: log θ)
  Params p(arch.layout(config));
  for (int64_t i = 0; i < kM; ++i)
    for (int64_t j = 0; j < kD; ++j) p.get("W_enc")[i * kD + j] = t["W_enc"].values[size_t(j * kM + i)];
  std::copy(t["W_dec"].values.begin(), t["W_dec"].values.end(), p.get("W_dec"));
  std::copy(t["b_dec"].values.begin(), t["b_dec"].values.end(), p.get("b_dec"));
  for (const char* name : {"b_enc", "b_gate", "b_mag", "r_mag"})
    if (p.has(name)) std::copy(t[name].values.begin(), t[name].values.end(), p.get(name));
  if (p.has("log_threshold"))
    for (int64_t i = 0; i < kM; ++i) p.get("log_threshold")[i] = std::log(t["threshold"].values[size_t(i)]);

  std::vector<float> x(kN * kD), f(kN * kM);
  for (float& v : x) v = float(1.5 * rng.normal());
  arch.encode(config, p, x.data(), kN, f.data());
  SparseActivations acts;
  model.encode(x.data(), kN, acts);
  int64_t active = 0;
  for (int64_t r = 0; r < kN; ++r) {
    std::vector<int32_t> want_idx;
    for (int64_t i = 0; i < kM; ++i)
      if (f[r * kM + i] > 0) want_idx.push_back(int32_t(i));
    const auto idx = acts.row_indices(r);
    ASSERT_EQ(std::vector<int32_t>(idx.begin(), idx.end()), want_idx) << c.saelens << " row " << r;
    for (size_t j = 0; j < idx.size(); ++j)
      EXPECT_NEAR(acts.row_values(r)[j], f[r * kM + idx[j]], 1e-5 * std::max(1.0f, std::abs(f[r * kM + idx[j]])));
    active += int64_t(idx.size());
  }
  EXPECT_GT(active, kN / 2);
  // not folded: decoder_norm carries the true norms so downstream importance (f_i · ‖d_i‖) stays right
  std::vector<float> norms(kM);
  dense::row_norms(t["W_dec"].values.data(), kM, kD, norms.data());
  ASSERT_EQ(acts.decoder_norm.size(), size_t(kM));
  for (int64_t i = 0; i < kM; ++i) EXPECT_NEAR(acts.decoder_norm[size_t(i)], norms[size_t(i)], 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Architectures, SaelensDirectory,
                         ::testing::Values(Case{"standard", "relu"}, Case{"gated", "gated-hybrid"}, Case{"topk", "topk"},
                                           Case{"jumprelu", "jumprelu"}),
                         [](const auto& info) { return info.param.saelens; });

TEST(SaelensDirectory, ErrorsNameTheFileAndTheFault) {
  testing::TempDir tmp;
  SaelensTensors t;
  t["W_enc"] = {{kD, kM}, std::vector<float>(kD * kM, 0.1f)};
  t["W_dec"] = {{kM, kD}, std::vector<float>(kM * kD, 0.1f)};
  t["b_dec"] = {{kD}, std::vector<float>(kD)};
  write_saelens_dir(tmp / "a", "standard", t, 0, true);  // no b_enc
  try {
    SaeModel::load(tmp / "a");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("b_enc"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sae_weights.safetensors"), std::string::npos) << e.what();
  }
  t["b_enc"] = {{kM}, std::vector<float>(kM)};
  write_saelens_dir(tmp / "b", "topk", t, 0, true);  // topk without k
  EXPECT_THROW(SaeModel::load(tmp / "b"), InputError);
  t["W_dec"].shape = {kD, kM};  // transposed decoder
  write_saelens_dir(tmp / "c", "standard", t, 0, true);
  try {
    SaeModel::load(tmp / "c");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("W_dec"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SaeModel::load(tmp / "missing"), InputError);
}

}  // namespace
}  // namespace saerad
