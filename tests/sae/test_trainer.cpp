// The trainer end to end on small synthetic data: outputs of formats.md, determinism, resume, bad input.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "core/safetensors.hpp"
#include "sae/sae_model.hpp"
#include "sae/trainer.hpp"
#include "synthetic.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;

TrainOptions small_options(const std::filesystem::path& out, const std::string& arch) {
  TrainOptions o;
  o.out_dir = out;
  o.architecture = arch;
  o.latents = 32;
  o.batch = 64;
  o.steps = 60;
  o.lr = 1e-3;
  o.l1 = 0.5;
  o.k = 4;
  o.checkpoint_every = 20;
  o.seed = 7;
  return o;
}

TEST(Trainer, WritesTheSaeDirectoryOfFormatsMd) {
  TempDir tmp;
  const auto data = testing::make_synthetic(300, 16, 24, 3, 0.01, 1);
  const TrainResult r = train_sae(data.embeddings, small_options(tmp / "sae", "gated-hybrid"));
  for (const char* f : {"cfg.json", "sae_weights.safetensors", "sparsity.safetensors", "metrics.json", "training_log.jsonl",
                        "loss.svg", "l0.svg", "density.svg", "checkpoint/state.safetensors"})
    EXPECT_TRUE(std::filesystem::exists(tmp / "sae" / f)) << f;
  const Json cfg = read_json_file(tmp / "sae" / "cfg.json");
  EXPECT_EQ(cfg["architecture"], "gated");
  EXPECT_EQ(cfg["saerad_architecture"], "gated-hybrid");
  EXPECT_EQ(cfg["d_in"], 16);
  EXPECT_EQ(cfg["d_sae"], 32);
  EXPECT_EQ(cfg["dtype"], "float32");
  EXPECT_EQ(cfg["normalize_activations"], "none");
  EXPECT_EQ(cfg["decoder_norms_folded"], true);
  EXPECT_EQ(cfg["model"], "synthetic-v1");
  EXPECT_GT(cfg["input_scale"].get<double>(), 0);
  for (const char* key : {"l0", "explained_variance", "mse", "dead_fraction", "dense_fraction", "dead_window"})
    EXPECT_TRUE(r.metrics.contains(key)) << key;
  const auto st = SafetensorsFile::open(tmp / "sae" / "sae_weights.safetensors");
  EXPECT_EQ(st.get("W_enc").shape, (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(st.get("W_dec").shape, (std::vector<int64_t>{32, 16}));
  for (const char* name : {"b_dec", "b_gate", "b_mag", "r_mag"}) EXPECT_NE(st.find(name), nullptr) << name;
  // log lines carry the keys of formats.md
  std::ifstream log(tmp / "sae" / "training_log.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    const Json j = Json::parse(line);
    for (const char* key : {"step", "samples", "loss", "mse", "sparsity_loss", "aux_loss", "l0", "lr", "lambda",
                            "dead_fraction", "samples_per_s"})
      ASSERT_TRUE(j.contains(key)) << key;
    ++lines;
  }
  EXPECT_GT(lines, 10);
  // folded: unit decoder rows
  const SaeModel model = SaeModel::load(tmp / "sae");
  for (float n : model.decoder_norms()) EXPECT_NEAR(n, 1.0f, 1e-5f);
  EXPECT_EQ(model.embeddings_model(), "synthetic-v1");
}

TEST(Trainer, DeterministicAndResumesToBitIdenticalWeights) {
  TempDir tmp;
  const auto data = testing::make_synthetic(200, 12, 16, 3, 0.01, 2);
  for (const std::string arch : {"gated-hybrid", "topk", "batchtopk", "jumprelu"}) {
    TrainOptions full = small_options(tmp / (arch + "-full"), arch);
    train_sae(data.embeddings, full);
    TrainOptions again = small_options(tmp / (arch + "-again"), arch);
    train_sae(data.embeddings, again);
    EXPECT_EQ(testing::all_sae_weights(tmp / (arch + "-full")), testing::all_sae_weights(tmp / (arch + "-again"))) << arch << " is not deterministic";

    TrainOptions part = small_options(tmp / (arch + "-part"), arch);
    part.checkpoint_every = 7;  // checkpoint cadence must not change the trajectory
    part.stop_after_steps = 23;
    EXPECT_FALSE(train_sae(data.embeddings, part).finished);
    part.stop_after_steps = 0;
    part.resume = true;
    EXPECT_TRUE(train_sae(data.embeddings, part).finished);
    EXPECT_EQ(testing::all_sae_weights(tmp / (arch + "-full")), testing::all_sae_weights(tmp / (arch + "-part"))) << arch << " resume differs";
  }
}

TEST(Trainer, ResumeRefusesOtherOptions) {
  TempDir tmp;
  const auto data = testing::make_synthetic(100, 8, 8, 2, 0.01, 3);
  TrainOptions o = small_options(tmp / "sae", "relu");
  o.stop_after_steps = 10;
  train_sae(data.embeddings, o);
  o.stop_after_steps = 0;
  o.resume = true;
  o.lr = 2e-3;
  try {
    train_sae(data.embeddings, o);
    FAIL() << "resumed with another lr";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("lr"), std::string::npos) << e.what();
  }
  o.lr = 1e-3;
  o.resume = false;
  EXPECT_THROW(train_sae(data.embeddings, o), InputError) << "a fresh run must not overwrite a checkpoint silently";
}

TEST(Trainer, BatchLargerThanTheDataAndTinySets) {
  TempDir tmp;
  const auto data = testing::make_synthetic(5, 8, 8, 2, 0.01, 4);
  TrainOptions o = small_options(tmp / "sae", "gated-hybrid");
  o.batch = 4096;
  o.holdout = 0.2;
  const TrainResult r = train_sae(data.embeddings, o);
  EXPECT_EQ(r.metrics["batch"], 4);  // 5 rows, 1 held out
  EXPECT_EQ(r.metrics["n_holdout"], 1);
}

TEST(Trainer, BadInputIsNamed) {
  TempDir tmp;
  auto data = testing::make_synthetic(10, 8, 8, 2, 0.01, 5);
  data.embeddings.vectors.at(6, 3) = std::numeric_limits<float>::quiet_NaN();
  try {
    train_sae(data.embeddings, small_options(tmp / "a", "relu"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 6"), std::string::npos) << e.what();
  }
  auto one = testing::make_synthetic(1, 8, 8, 2, 0.01, 5);
  try {
    train_sae(one.embeddings, small_options(tmp / "b", "relu"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("at least 2"), std::string::npos) << e.what();
  }
  auto empty = testing::make_synthetic(0, 8, 8, 2, 0.01, 5);
  EXPECT_THROW(train_sae(empty.embeddings, small_options(tmp / "c", "relu")), InputError);
  TrainOptions bad = small_options(tmp / "d", "nonsense");
  EXPECT_THROW(train_sae(data.embeddings, bad), InputError);
}

}  // namespace
}  // namespace saerad
