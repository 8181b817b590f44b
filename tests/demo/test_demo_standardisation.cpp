// The demo's input standardisation folded into its SAE: the folded SAE on raw embeddings gives the
// activations (up to the returned per-feature factor, the decoder-row renormalisation) and the
// reconstructions (in raw units) of the unfolded SAE on the standardised embeddings.
#include <gtest/gtest.h>

#include <cmath>

#include "core/json_io.hpp"
#include "core/rng.hpp"
#include "demo/demo_standardisation.hpp"
#include "sae/sae_model.hpp"
#include "sae/trainer.hpp"
#include "support/test_support.hpp"

namespace saerad::demo {
namespace {

namespace fs = std::filesystem;

// 160 rows, d = 10: dimensions of very different scales (0.03 to 30) with offsets up to 50 times their spread
// (the builtin encoder's reach 75), one constant. Offsets far beyond that would cost the folded SAE float32
// precision: it subtracts the mean inside its b_dec.
Embeddings raw_embeddings() {
  Embeddings e;
  e.vectors = MatrixF32(160, 10);
  e.model = "builtin-v1";
  Rng rng(7);
  for (int64_t r = 0; r < e.size(); ++r) {
    const double shared = rng.normal();
    for (int64_t j = 0; j < e.dim(); ++j) {
      const double scale = std::pow(10.0, double(j % 4) - 1.5), offset = scale * (10.0 * double(j) - 40.0);
      e.vectors.row(r)[j] = j == 9 ? 3.25f : float(offset + scale * (rng.normal() + (j < 4 ? shared : 0.0)));
    }
    e.ids.push_back("s" + std::to_string(r));
    e.study_ids.push_back(e.ids.back());
  }
  return e;
}

// Dense activations of an SAE on every row: [n, m].
std::vector<std::vector<float>> dense_acts(const SaeModel& sae, const Embeddings& e) {
  SparseActivations acts;
  sae.encode(e.vectors.row(0), e.size(), acts);
  std::vector<std::vector<float>> out(size_t(e.size()), std::vector<float>(size_t(sae.d_sae()), 0.0f));
  for (int64_t r = 0; r < e.size(); ++r) {
    const auto idx = acts.row_indices(r);
    const auto val = acts.row_values(r);
    for (size_t k = 0; k < idx.size(); ++k) out[size_t(r)][size_t(idx[k])] = val[k];
  }
  return out;
}

TEST(DemoStandardisation, FoldedSaeOnRawEmbeddingsMatchesTheSaeOnStandardisedOnes) {
  const saerad::testing::TempDir tmp;
  const Embeddings raw = raw_embeddings();
  std::vector<int64_t> fit_rows;
  for (int64_t r = 0; r < 120; ++r) fit_rows.push_back(r);  // fitted on a "training split" only
  const Standardisation s = fit_standardisation(raw, fit_rows);
  EXPECT_EQ(s.scale[9], 1.0f);  // the constant dimension is only centred
  EXPECT_NEAR(s.mean[9], 3.25f, 1e-6);
  Embeddings z = raw;
  apply_standardisation(z, s);

  TrainOptions t;
  t.out_dir = tmp / "unfolded";
  t.architecture = "gated-hybrid";
  t.expansion = 4;
  t.l1 = 0.3;
  t.lr = 3e-3;
  t.batch = 32;
  t.steps = 80;
  t.b_dec_init = "mean";
  t.checkpoint_every = 0;
  t.plots = false;
  train_sae(z, t);
  fs::copy(tmp / "unfolded", tmp / "folded", fs::copy_options::recursive);
  const std::vector<float> factor = fold_standardisation_into_sae(tmp / "folded", s);
  EXPECT_THROW(fold_standardisation_into_sae(tmp / "folded", s), Error);  // never folded twice

  const SaeModel unfolded = SaeModel::load(tmp / "unfolded"), folded = SaeModel::load(tmp / "folded");
  EXPECT_EQ(folded.embeddings_model(), "builtin-v1");
  EXPECT_TRUE(folded.config().value("input_standardisation_folded", false));
  for (float n : folded.decoder_norms()) EXPECT_NEAR(n, 1.0f, 1e-5);  // the format's unit-norm decoder rows

  const auto a = dense_acts(unfolded, z), b = dense_acts(folded, raw);
  int64_t firing = 0;
  // Tolerance: float32 rounding of the refolded weights, 1e-4 relative to the activation (plus 1e-5 absolute).
  for (size_t r = 0; r < a.size(); ++r)
    for (size_t i = 0; i < a[r].size(); ++i) {
      const float expected = factor[i] * a[r][i];
      EXPECT_NEAR(b[r][i], expected, 1e-5 + 1e-4 * std::abs(expected)) << "row " << r << " feature " << i;
      firing += a[r][i] > 0;
    }
  EXPECT_GT(firing, 0);  // the comparison is not vacuous

  // Reconstructions: folded(x) = mean + scale ⊙ unfolded(z), to 1e-4 of each dimension's scale (plus 1e-4 of
  // its offset: the folded b_dec holds the mean in float32).
  SparseActivations sa, sb;
  unfolded.encode(z.vectors.row(0), z.size(), sa);
  folded.encode(raw.vectors.row(0), raw.size(), sb);
  std::vector<float> xa(size_t(raw.dim())), xb(size_t(raw.dim()));
  for (int64_t r = 0; r < raw.size(); ++r) {
    unfolded.decode(sa.row_indices(r), sa.row_values(r), xa.data());
    folded.decode(sb.row_indices(r), sb.row_values(r), xb.data());
    for (int64_t j = 0; j < raw.dim(); ++j) {
      const float expected = s.mean[size_t(j)] + s.scale[size_t(j)] * xa[size_t(j)];
      EXPECT_NEAR(xb[size_t(j)], expected, 1e-4 * (s.scale[size_t(j)] + std::abs(s.mean[size_t(j)])));
    }
  }
}

}  // namespace
}  // namespace saerad::demo
