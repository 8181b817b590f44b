// Recovery of a known dictionary (the floors): d = 64, 512 random unit directions, ~5 active per
// sample, noise 0.01. gated-hybrid, relu and topk must reach mean best |cosine| ≥ 0.90 between each true
// direction and the learned decoder rows, and held-out explained variance ≥ 0.90. The other architectures are
// trained and reported too, with looser sanity floors.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "core/safetensors.hpp"
#include "core/threads.hpp"
#include "sae/trainer.hpp"
#include "support/test_support.hpp"
#include "synthetic.hpp"

namespace saerad {
namespace {

constexpr int64_t kD = 64, kAtoms = 512;

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

double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}

TrainOptions recovery_options(const std::string& arch) {
  set_thread_count(1);
  TrainOptions o;
  o.architecture = arch;
  o.latents = 1024;
  o.batch = 256;
  o.steps = 3000;
  o.lr = 2e-3;
  o.l1 = env_or("REC_L1", 3.0);
  o.k = int64_t(env_or("REC_K", 5));
  o.steps = int64_t(env_or("REC_STEPS", 3000));
  o.lr = env_or("REC_LR", 2e-3);
  o.b_dec_init = "zero";
  o.checkpoint_every = 0;
  o.seed = 1;
  return o;
}

const testing::SyntheticData& dataset() {
  static const testing::SyntheticData data = testing::make_synthetic(20000, kD, kAtoms, env_or("REC_ACTIVE", 5), 0.01, 42);
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

}  // namespace
}  // namespace saerad
