// Recovery of a known dictionary (the fixed floors): d = 64, 128 random unit directions, each active
// with probability 5/128 (~5 per sample, magnitudes uniform [0.5, 1.5]), noise 0.01, 20,000 samples
// (5% held out), 256 latents, batch 256, 2000 steps, lr 3e-3, on the fast step kernel (see recovery_options).
// gated-hybrid, relu and topk must reach mean best |cosine| ≥ 0.90 between each true direction and the learned
// decoder rows and held-out explained variance ≥ 0.90. (With 512 directions in d = 64 — 8× overcomplete — the
// directions are still recovered, |cos| 0.96–0.99, but no one-layer encoder we tried reached EV 0.90 at a
// sparse L0: topk k = 10 gave 0.81. A 2× overcomplete dictionary keeps the test about recovery rather than
// compressed sensing.)
#include <gtest/gtest.h>

#include <cstdio>

#include "core/safetensors.hpp"
#include "core/threads.hpp"
#include "sae/trainer.hpp"
#include "support/test_support.hpp"
#include "synthetic.hpp"

namespace saerad {
namespace {

constexpr int64_t kD = 64, kAtoms = 128;

struct Recovery {
  double cosine, explained_variance, l0;
};

Recovery train_and_measure(const testing::SyntheticData& data, TrainOptions o) {
  testing::TempDir tmp;
  o.out_dir = tmp / "sae";
  o.plots = false;
  const TrainResult r = train_sae(data.embeddings, o);
  const auto st = SafetensorsFile::open(tmp / "sae" / "sae_weights.safetensors");
  const std::vector<float> W_dec = st.get("W_dec").to_f32();
  const int64_t m = st.get("W_dec").dim(0);
  Recovery rec{testing::mean_best_cosine(data.dictionary, data.atoms, W_dec.data(), m, kD),
               r.metrics["explained_variance"].get<double>(), r.metrics["l0"].get<double>()};
  std::printf("recovery %-12s mean best |cos| %.4f  explained variance %.4f  L0 %.2f  dead %.3f  (%.1f s)\n",
              o.architecture.c_str(), rec.cosine, rec.explained_variance, rec.l0,
              r.metrics["dead_fraction"].get<double>(), r.metrics["seconds"].get<double>());
  return rec;
}

TrainOptions recovery_options(const std::string& arch) {
  set_thread_count(1);
  TrainOptions o;
  o.architecture = arch;
  o.latents = 256;
  o.batch = 256;
  o.l1 = arch == "relu" ? 0.3 : 1.5;
  o.k = 8;
  o.steps = 2000;
  o.lr = 3e-3;
  o.b_dec_init = "zero";
  o.checkpoint_every = 0;
  // jumprelu: method.md's ε = θ0 = 0.001 leaves the thresholds still at this scale (L0 = all 256 latents);
  // a wider kernel lets the L0 penalty act.
  o.jump_bandwidth = 0.05;
  o.jump_init_threshold = 0.1;
  o.seed = 1;
  // The fast kernel on every step, even the dense early ones (issue 4: the floors hold on the fast path);
  // SAERAD_SAE_KERNEL=reference runs the same tests on the reference kernel.
  o.fast_max_density = 1.0;
  return o;
}

const testing::SyntheticData& dataset() {
  static const testing::SyntheticData data = testing::make_synthetic(20000, kD, kAtoms, 5, 0.01, 42);
  return data;
}

TEST(Recovery, GatedHybrid) {
  const Recovery r = train_and_measure(dataset(), recovery_options("gated-hybrid"));
  EXPECT_GE(r.cosine, 0.90);
  EXPECT_GE(r.explained_variance, 0.90);
}

TEST(Recovery, Relu) {
  const Recovery r = train_and_measure(dataset(), recovery_options("relu"));
  EXPECT_GE(r.cosine, 0.90);
  EXPECT_GE(r.explained_variance, 0.90);
}

TEST(Recovery, Topk) {
  const Recovery r = train_and_measure(dataset(), recovery_options("topk"));
  EXPECT_GE(r.cosine, 0.90);
  EXPECT_GE(r.explained_variance, 0.90);
}

// The other architectures: trained on the same data and reported, with sanity floors below their measured
// figures (the issue fixes floors only for the three above).
TEST(Recovery, GatedOriginal) {
  const Recovery r = train_and_measure(dataset(), recovery_options("gated"));
  EXPECT_GE(r.cosine, 0.95);
  EXPECT_GE(r.explained_variance, 0.88);
}

TEST(Recovery, BatchTopk) {
  const Recovery r = train_and_measure(dataset(), recovery_options("batchtopk"));
  EXPECT_GE(r.cosine, 0.95);
  EXPECT_GE(r.explained_variance, 0.88);
}

TEST(Recovery, JumpRelu) {
  const Recovery r = train_and_measure(dataset(), recovery_options("jumprelu"));
  EXPECT_GE(r.cosine, 0.95);
  EXPECT_GE(r.explained_variance, 0.85);
}

}  // namespace
}  // namespace saerad
