// The SAE commands through the real binary: train → (SIGKILL) → train --resume gives bit-identical weights;
// encode equals the in-memory encoder; info; bad input (d mismatch) names both sides.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/embeddings.hpp"
#include "core/safetensors.hpp"
#include "core/sparse_activations.hpp"
#include "sae/checkpoint.hpp"
#include "sae/sae_model.hpp"
#include "support/test_support.hpp"
#include "synthetic.hpp"

namespace saerad {
namespace {

using testing::run_saerad;
using testing::TempDir;

std::vector<std::string> train_args(const std::filesystem::path& emb, const std::filesystem::path& out) {
  return {"--threads", "1", "--quiet", "train", "--embeddings", emb.string(), "--out", out.string(), "--arch", "gated-hybrid",
          "--latents", "128", "--batch", "32", "--steps", "1500", "--lr", "1e-3", "--l1", "1", "--checkpoint-every", "25",
          "--seed", "3", "--no-plots"};
}

int64_t checkpoint_step(const std::filesystem::path& dir) {
  const auto path = checkpoint_path(dir);
  if (!std::filesystem::exists(path)) return -1;
  try {
    const auto st = SafetensorsFile::open(path);
    return Json::parse(st.metadata_or("state", "{}")).value("step", int64_t(-1));
  } catch (const std::exception&) {
    return -1;
  }
}

class SaeCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    auto data = testing::make_synthetic(1500, 24, 48, 3, 0.01, 9);
    write_embeddings(tmp_ / "emb.safetensors", data.embeddings, Provenance{});
  }
  TempDir tmp_;
};

TEST_F(SaeCommands, KilledTrainingResumesToBitIdenticalWeights) {
  const auto full = run_saerad(train_args(tmp_ / "emb.safetensors", tmp_ / "full"));
  ASSERT_EQ(full.exit_code, 0) << full.err;

  // The same run, killed with SIGKILL once a checkpoint past step 100 exists.
  std::vector<std::string> args = train_args(tmp_ / "emb.safetensors", tmp_ / "killed");
  args.insert(args.begin(), testing::saerad_binary().string());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (checkpoint_step(tmp_ / "killed") < 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const int64_t step_at_kill = checkpoint_step(tmp_ / "killed");
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the run ended before it could be killed";
  ASSERT_GE(step_at_kill, 100);
  EXPECT_LT(step_at_kill, 1500);
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "killed" / "sae_weights.safetensors"));

  std::vector<std::string> resume = train_args(tmp_ / "emb.safetensors", tmp_ / "killed");
  resume.push_back("--resume");
  const auto resumed = run_saerad(resume);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(testing::all_sae_weights(tmp_ / "full"), testing::all_sae_weights(tmp_ / "killed")) << "killed at step " << step_at_kill;
  // the log has each logged step once, in order
  std::ifstream log(tmp_ / "killed" / "training_log.jsonl");
  std::string line;
  int64_t last = 0;
  while (std::getline(log, line)) {
    const int64_t step = Json::parse(line)["step"].get<int64_t>();
    EXPECT_GT(step, last);
    last = step;
  }
  EXPECT_EQ(last, 1500);
}

TEST_F(SaeCommands, EncodeInfoAndErrors) {
  auto train = train_args(tmp_ / "emb.safetensors", tmp_ / "sae");
  train[std::find(train.begin(), train.end(), "1500") - train.begin()] = "200";
  ASSERT_EQ(run_saerad(train).exit_code, 0);
  const auto enc = run_saerad({"--quiet", "encode", "--sae", (tmp_ / "sae").string(), "--embeddings",
                               (tmp_ / "emb.safetensors").string(), "--out", (tmp_ / "acts.safetensors").string()});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const SparseActivations acts = read_sparse_activations(tmp_ / "acts.safetensors");
  const Embeddings emb = read_embeddings(tmp_ / "emb.safetensors");
  SparseActivations expected;
  SaeModel::load(tmp_ / "sae").encode(emb.vectors.data.data(), emb.size(), expected);
  EXPECT_EQ(acts.indptr, expected.indptr);
  EXPECT_EQ(acts.indices, expected.indices);
  EXPECT_EQ(acts.values, expected.values);
  EXPECT_EQ(acts.ids, emb.ids);
  EXPECT_EQ(acts.study_ids, emb.study_ids);
  ASSERT_EQ(acts.decoder_norm.size(), size_t(128));
  for (float n : acts.decoder_norm) EXPECT_NEAR(n, 1.0f, 1e-5f);
  EXPECT_EQ(acts.metadata.at("sae_fingerprint"), SaeModel::load(tmp_ / "sae").fingerprint());

  for (const std::vector<std::string>& form : {std::vector<std::string>{"info", (tmp_ / "sae").string()},
                                              std::vector<std::string>{"info", "--sae", (tmp_ / "sae").string()}}) {
    const auto info = run_saerad(form);
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("gated-hybrid"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("explained_variance"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("never fired"), std::string::npos) << info.out;
  }
  const auto info_json = run_saerad({"--json", "info", (tmp_ / "sae").string()});
  ASSERT_EQ(info_json.exit_code, 0);
  EXPECT_EQ(Json::parse(info_json.out)["d_sae"], 128);

  // d mismatch: names both the embeddings and the SAE
  auto other = testing::make_synthetic(10, 20, 8, 2, 0.01, 1);
  write_embeddings(tmp_ / "d20.safetensors", other.embeddings, Provenance{});
  const auto bad = run_saerad({"encode", "--sae", (tmp_ / "sae").string(), "--embeddings", (tmp_ / "d20.safetensors").string(),
                               "--out", (tmp_ / "x.safetensors").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("d20.safetensors"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("24"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("20"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace saerad
