// `saerad embed` and friends end to end on the tiny fixture model: fixture numbers through the CLI, resume after
// a kill, shards merged, failures reported, manifests, import, preprocess.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/csv.hpp"
#include "core/embeddings.hpp"
#include "core/npy.hpp"
#include "core/safetensors.hpp"
#include "support/test_support.hpp"
#include "max_abs_diff.hpp"
#include "vision/image.hpp"

namespace saerad {
namespace {

namespace fs = std::filesystem;
using testing::max_abs_diff;
using testing::run_program;
using testing::run_saerad;

fs::path tiny() { return testing::test_data_dir() / "vision" / "dinov2-tiny"; }


// n distinct small gray PNGs (sizes and patterns vary) in `dir`, named img00.png …
void write_images(const fs::path& dir, int n) {
  for (int i = 0; i < n; ++i) {
    Image image(60 + 7 * i, 64 + 3 * (i % 4), 1);
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) image.row(y)[x] = uint8_t((x * (i + 1) + y * (7 - i % 5) * 3) % 256);
    write_png(dir / fmt::format("img{:02d}.png", i), image);
  }
}

class EmbedCli : public ::testing::Test {
 protected:
  testing::TempDir dir;
  testing::CommandResult embed(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--quiet", "embed", "--model", tiny().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_saerad(args);
  }
};

TEST_F(EmbedCli, FixtureImageGivesTheExpectedPoolerAndPatchTokens) {
  const auto result = embed({"--images", (tiny() / "image.png").string(), "--out", (dir / "e.safetensors").string(),
                             "--patch-tokens", "--patch-dtype", "f32"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Embeddings e = read_embeddings(dir / "e.safetensors");
  EXPECT_EQ(e.ids, std::vector<std::string>{"image"});
  EXPECT_EQ(e.model.rfind("dinov2:sha256:", 0), 0u) << e.model;
  EXPECT_LE(max_abs_diff(e.vectors.data, read_npy(tiny() / "expected_pooler_output.npy").to_f32()), 1e-4f);
  const SafetensorsFile patches = SafetensorsFile::open(dir / "e.patches.safetensors");
  const TensorView& hidden = patches.get("last_hidden_state");
  EXPECT_EQ(hidden.dtype, DType::F32);
  EXPECT_LE(max_abs_diff(hidden.to_f32(), read_npy(tiny() / "expected_last_hidden_state.npy").to_f32()), 1e-4f);
  EXPECT_FALSE(fs::exists(dir / "e.safetensors.parts")) << "parts are removed after a successful run";
}

TEST_F(EmbedCli, PreprocessWritesThePixelValues) {
  const auto result = run_saerad({"preprocess", "--model", tiny().string(), "--image", (tiny() / "image.png").string(),
                                  "--out", (dir / "pixels.npy").string(), "--png", (dir / "seen.png").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LE(max_abs_diff(read_npy(dir / "pixels.npy").to_f32(), read_npy(tiny() / "expected_pixel_values.npy").to_f32()),
            1e-5f);
  EXPECT_EQ(read_image(dir / "seen.png").width, 56);
}

TEST_F(EmbedCli, KilledRunResumesToTheSameFile) {
  write_images(dir / "images", 9);
  const std::string images = (dir / "images").string();
  ASSERT_EQ(embed({"--images", images, "--out", (dir / "whole.safetensors").string(), "--part-size", "2", "--batch",
                   "3"}).exit_code, 0);

  const fs::path out = dir / "resumed.safetensors";
  const auto killed = run_program({"/usr/bin/env", "SAERAD_TEST_ABORT_AFTER_PARTS=2", testing::saerad_binary().string(),
                                   "--quiet", "embed", "--model", tiny().string(), "--images", images, "--out",
                                   out.string(), "--part-size", "2", "--batch", "3"});
  ASSERT_EQ(killed.exit_code, 137) << killed.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::exists(dir / "resumed.safetensors.parts" / "part-000001.safetensors"));

  const auto refused = embed({"--images", images, "--out", out.string(), "--part-size", "2"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--resume"), std::string::npos) << refused.err;

  const auto resumed = run_saerad({"embed", "--model", tiny().string(), "--images", images, "--out", out.string(),
                                   "--part-size", "2", "--batch", "3", "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("4 from earlier parts"), std::string::npos) << resumed.err;
  const Embeddings a = read_embeddings(dir / "whole.safetensors"), b = read_embeddings(out);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.vectors.data, b.vectors.data);
  EXPECT_EQ(a.size(), 9);
}

TEST_F(EmbedCli, ShardsMergeToTheUnshardedFile) {
  write_images(dir / "images", 7);
  const std::string images = (dir / "images").string();
  // --batch 1: GEMM rounding may depend on how many rows share a call, so equal batches make equal bits.
  ASSERT_EQ(embed({"--images", images, "--batch", "1", "--out", (dir / "all.safetensors").string()}).exit_code, 0);
  for (int k = 1; k <= 3; ++k) {
    const std::string shard = std::to_string(k) + "/3";
    const std::string part = (dir / ("part" + std::to_string(k) + ".safetensors")).string();
    const auto result = embed({"--images", images, "--batch", "1", "--shard", shard, "--out", part});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  const auto merged = run_saerad({"merge-embeddings", (dir / "part3.safetensors").string(),
                                  (dir / "part1.safetensors").string(), (dir / "part2.safetensors").string(), "--out",
                                  (dir / "merged.safetensors").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const Embeddings a = read_embeddings(dir / "all.safetensors"), b = read_embeddings(dir / "merged.safetensors");
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.vectors.data, b.vectors.data);
  EXPECT_EQ(a.model, b.model);

  const auto incomplete = run_saerad({"merge-embeddings", (dir / "part1.safetensors").string(),
                                      (dir / "part3.safetensors").string(), "--out", (dir / "bad.safetensors").string()});
  EXPECT_NE(incomplete.exit_code, 0);
  EXPECT_NE(incomplete.err.find("shard 2/3 is missing"), std::string::npos) << incomplete.err;
}

TEST_F(EmbedCli, UnreadableImagesAreListedAndTheRestEmbedded) {
  write_images(dir / "images", 3);
  std::ofstream(dir / "images" / "broken.png") << "\x89PNG\r\n\x1a\n not really";
  std::ofstream(dir / "images" / "scan.dcm") << "DICM?";
  const fs::path out = dir / "e.safetensors";
  const auto result = embed({"--images", (dir / "images").string(), "--out", out.string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const Embeddings e = read_embeddings(out);
  EXPECT_EQ(e.ids, (std::vector<std::string>{"img00", "img01", "img02"}));
  CsvTable failures(CsvReader::open(dir / "e.safetensors.failures.csv"));
  std::vector<std::string> row;
  std::vector<std::string> failed_ids;
  while (failures.next(row)) {
    failed_ids.push_back(row[*failures.column("image_id")]);
    EXPECT_FALSE(row[*failures.column("reason")].empty());
  }
  EXPECT_EQ(failed_ids, (std::vector<std::string>{"broken", "scan"}));
}

TEST_F(EmbedCli, ManifestKeepsOneFrontalImagePerStudy) {
  write_images(dir / "images", 4);
  std::ofstream(dir / "studies.csv")
      << "study_id,subject_id,image_id,image_path,view,split,study_datetime,indication,comparison,findings,impression\n"
      << "s1,p1,b_lat,images/img00.png,LATERAL,train,,,,Clear.,Normal.\n"
      << "s1,p1,c_ap,images/img01.png,AP,train,,,,Clear.,Normal.\n"
      << "s1,p1,d_pa,images/img02.png,PA,train,,,,Clear.,Normal.\n"
      << "s2,p2,a_lat,images/img03.png,LL,test,,,,Effusion.,Effusion.\n";
  const fs::path one = dir / "one.safetensors", all = dir / "all.safetensors";
  ASSERT_EQ(embed({"--manifest", (dir / "studies.csv").string(), "--out", one.string()}).exit_code, 0);
  const Embeddings first = read_embeddings(one);
  EXPECT_EQ(first.ids, std::vector<std::string>{"d_pa"});
  EXPECT_EQ(first.study_ids, std::vector<std::string>{"s1"});
  ASSERT_EQ(embed({"--manifest", (dir / "studies.csv").string(), "--per-study", "all", "--out", all.string()}).exit_code, 0);
  EXPECT_EQ(read_embeddings(all).study_ids, (std::vector<std::string>{"s1", "s1", "s1", "s2"}));
}

TEST_F(EmbedCli, ImportedNpyKeepsItsIdsAndModelName) {
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  write_npy(dir / "e.npy", DType::F32, {3, 2}, values.data());
  std::ofstream(dir / "ids.txt") << "a\tsa\nb\tsb\nc\tsc\n";
  const auto result = run_saerad({"import-embeddings", "--npy", (dir / "e.npy").string(), "--ids",
                                  (dir / "ids.txt").string(), "--model-name", "rad-dino", "--out",
                                  (dir / "e.safetensors").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Embeddings e = read_embeddings(dir / "e.safetensors");
  EXPECT_EQ(e.model, "rad-dino");
  EXPECT_EQ(e.ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(e.study_ids, (std::vector<std::string>{"sa", "sb", "sc"}));
  EXPECT_EQ(e.vectors.data, values);

  std::ofstream(dir / "short.txt") << "a\nb\n";
  const auto mismatch = run_saerad({"import-embeddings", "--npy", (dir / "e.npy").string(), "--ids",
                                    (dir / "short.txt").string(), "--model-name", "x", "--out",
                                    (dir / "f.safetensors").string()});
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.err;
}

TEST_F(EmbedCli, BuiltinEncoderGoesThroughTheSameCommand) {
  write_images(dir / "images", 2);
  const auto result = run_saerad({"--quiet", "embed", "--encoder", "builtin", "--images", (dir / "images").string(),
                                  "--out", (dir / "b.safetensors").string()});
  if (result.err.find("not part of this build") != std::string::npos) GTEST_SKIP() << "builtin encoder not built";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Embeddings e = read_embeddings(dir / "b.safetensors");
  EXPECT_EQ(e.model, "builtin-v1");
  EXPECT_EQ(e.size(), 2);
}

}  // namespace
}  // namespace saerad
