// The stage files of docs/formats.md: embeddings (.safetensors / .npy + ids), sparse activations, and the
// shared helpers behind them (RNG, AUROC).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/npy.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "core/sparse_activations.hpp"
#include "core/stats.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

Embeddings sample_embeddings(int64_t n, int64_t d) {
  Embeddings e;
  e.vectors = MatrixF32(n, d);
  Rng rng(3);
  for (float& v : e.vectors.data) v = float(rng.normal());
  for (int64_t i = 0; i < n; ++i) {
    e.ids.push_back("img" + std::to_string(i));
    e.study_ids.push_back("s" + std::to_string(i / 2));
  }
  e.model = "builtin-v1";
  e.preprocess = {{"size", 512}};
  return e;
}

TEST(Embeddings, SafetensorsRoundTripKeepsIdsModelAndProvenance) {
  TempDir dir;
  Embeddings e = sample_embeddings(6, 4);
  Provenance p;
  p.seed = 42;
  p.input("images", "sha256:abc");
  write_embeddings(dir / "e.safetensors", e, p);
  Embeddings back = read_embeddings(dir / "e.safetensors");
  EXPECT_EQ(back.vectors.data, e.vectors.data);
  EXPECT_EQ(back.ids, e.ids);
  EXPECT_EQ(back.study_ids, e.study_ids);
  EXPECT_EQ(back.model, "builtin-v1");
  EXPECT_EQ(back.preprocess["size"], 512);
  Json prov = Json::parse(back.metadata.at("provenance"));
  EXPECT_EQ(prov["seed"], 42);
  EXPECT_EQ(prov["inputs"]["images"], "sha256:abc");
  EXPECT_TRUE(prov.contains("saerad_version") && prov.contains("git_hash") && prov.contains("command_line"));
}

TEST(Embeddings, NpyWithIdsFileAndDefaults) {
  TempDir dir;
  Embeddings e = sample_embeddings(3, 2);
  write_npy(dir / "e.npy", e.vectors);
  Embeddings plain = read_embeddings(dir / "e.npy");
  EXPECT_EQ(plain.ids, (std::vector<std::string>{"0", "1", "2"}));
  std::ofstream(dir / "ids.txt") << "a\tstudyA\nb\n\nc\n";
  Embeddings with_ids = read_embeddings(dir / "e.npy", dir / "ids.txt");
  EXPECT_EQ(with_ids.ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(with_ids.study_ids, (std::vector<std::string>{"studyA", "b", "c"}));
  std::ofstream(dir / "short.txt") << "a\nb\n";
  EXPECT_THROW(read_embeddings(dir / "e.npy", dir / "short.txt"), InputError);
}

TEST(Embeddings, NonFiniteValuesNameTheRow) {
  TempDir dir;
  Embeddings e = sample_embeddings(5, 3);
  e.vectors.at(3, 1) = NAN;
  write_embeddings(dir / "bad.safetensors", e, Provenance{});
  try {
    read_embeddings(dir / "bad.safetensors");
    FAIL() << "expected an error";
  } catch (const InputError& err) {
    std::string msg = err.what();
    EXPECT_NE(msg.find("row 3 (id img3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
  }
}

TEST(SparseActivations, RoundTripAndValidation) {
  TempDir dir;
  SparseActivations a;
  a.d_sae = 10;
  a.decoder_norm.assign(10, 1.0f);
  a.append_row(std::vector<int32_t>{1, 4, 9}, std::vector<float>{0.5f, 2.0f, 1.0f});
  a.append_row({}, {});
  a.append_row(std::vector<int32_t>{0}, std::vector<float>{3.0f});
  a.ids = {"a", "b", "c"};
  a.study_ids = {"sa", "sb", "sc"};
  write_sparse_activations(dir / "acts.safetensors", a, Provenance{});
  SparseActivations b = read_sparse_activations(dir / "acts.safetensors");
  EXPECT_EQ(b.rows(), 3);
  EXPECT_EQ(b.indptr, a.indptr);
  EXPECT_EQ(b.indices, a.indices);
  EXPECT_EQ(b.values, a.values);
  EXPECT_EQ(b.study_ids, a.study_ids);
  EXPECT_EQ(b.row_indices(2)[0], 0);

  a.indices[1] = 12;  // out of range for d_sae = 10
  write_sparse_activations(dir / "bad.safetensors", a, Provenance{});
  EXPECT_THROW(read_sparse_activations(dir / "bad.safetensors"), InputError);
}

TEST(Rng, DeterministicAndRestorable) {
  Rng a(7), b(7), c(8);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(a.next_u64(), c.next_u64());
  auto state = a.state();
  std::vector<uint64_t> first;
  for (int i = 0; i < 5; ++i) first.push_back(a.below(1000));
  a.set_state(state);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.below(1000), first[size_t(i)]);
  double sum = 0, sum_sq = 0;
  Rng n(1);
  for (int i = 0; i < 20000; ++i) {
    double x = n.normal();
    sum += x;
    sum_sq += x * x;
  }
  EXPECT_NEAR(sum / 20000, 0.0, 0.03);
  EXPECT_NEAR(sum_sq / 20000, 1.0, 0.05);
}

TEST(Stats, AurocMatchesHandComputedValues) {
  std::vector<double> s = {0.1, 0.4, 0.35, 0.8};
  std::vector<uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(auroc(s, y), 0.75);  // pairs (pos > neg): 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4
  std::vector<double> tied = {1, 1, 1, 1};
  EXPECT_DOUBLE_EQ(auroc(tied, y), 0.5);
  std::vector<uint8_t> none = {0, 0, 0, 0};
  EXPECT_TRUE(std::isnan(auroc(s, none)));
}

}  // namespace
}  // namespace saerad
