// Checkpoint variants: F16 and BF16 copies of the tiny fixture (made here) against the F32 outputs, a sharded
// checkpoint, and the errors for truncated files and wrong shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/safetensors.hpp"
#include "support/test_support.hpp"
#include "max_abs_diff.hpp"
#include "vision/dinov2_model.hpp"
#include "vision/hf_preprocess.hpp"

namespace saerad {
namespace {

namespace fs = std::filesystem;
using testing::max_abs_diff;

fs::path fixture() { return testing::test_data_dir() / "vision" / "dinov2-tiny"; }

void copy_configs(const fs::path& to) {
  fs::create_directories(to);
  for (const char* name : {"config.json", "preprocessor_config.json"})
    fs::copy_file(fixture() / name, to / name, fs::copy_options::overwrite_existing);
}

// The fixture's tensors re-encoded in `dtype`, into `to`/model.safetensors; `edit` may change one entry.
void write_converted(const fs::path& to, DType dtype) {
  copy_configs(to);
  const SafetensorsFile source = SafetensorsFile::open(fixture() / "model.safetensors");
  SafetensorsWriter writer;
  for (const TensorView& t : source.tensors()) {
    const std::vector<float> values = t.to_f32();
    std::vector<uint16_t> half(values.size());
    for (size_t i = 0; i < values.size(); ++i) half[i] = dtype == DType::F16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]);
    writer.add(t.name, dtype, t.shape, half.data(), half.size() * 2);
  }
  writer.write(to / "model.safetensors");
}

std::vector<float> pooler_of(const fs::path& model_dir) {
  Dinov2Model model = Dinov2Model::load(model_dir);
  const PixelValues pixels = preprocess_image(read_image(fixture() / "image.png"),
                                              read_image_processor_config(fixture() / "preprocessor_config.json"));
  std::vector<float> pooler(static_cast<size_t>(model.config().hidden_size));
  model.forward({&pixels, 1}, pooler.data());
  return pooler;
}


TEST(Dinov2Checkpoint, HalfPrecisionWeightsMatchF32WithinStatedTolerance) {
  testing::TempDir dir;
  const std::vector<float> reference = pooler_of(fixture());
  write_converted(dir / "f16", DType::F16);
  write_converted(dir / "bf16", DType::BF16);
  const float f16_error = max_abs_diff(pooler_of(dir / "f16"), reference);
  const float bf16_error = max_abs_diff(pooler_of(dir / "bf16"), reference);
  std::printf("pooler max abs error vs F32 weights: F16 %.3g, BF16 %.3g\n", f16_error, bf16_error);
  // Post-LN outputs are O(1): F16 weights (11-bit mantissa) stay within 5e-3, BF16 (8-bit) within 5e-2.
  EXPECT_LE(f16_error, 5e-3f);
  EXPECT_LE(bf16_error, 5e-2f);
  EXPECT_GT(bf16_error, 0.0f) << "the BF16 copy should not be bit-identical to F32";
}

TEST(Dinov2Checkpoint, ShardedCheckpointLoadsLikeTheSingleFile) {
  testing::TempDir dir;
  copy_configs(dir.path());
  const SafetensorsFile source = SafetensorsFile::open(fixture() / "model.safetensors");
  SafetensorsWriter first, second;
  Json index = {{"metadata", Json::object()}, {"weight_map", Json::object()}};
  for (size_t i = 0; i < source.tensors().size(); ++i) {
    const TensorView& t = source.tensors()[i];
    const bool in_first = i % 2 == 0;
    (in_first ? first : second).add(t.name, t.dtype, t.shape, t.data, t.nbytes);
    index["weight_map"][t.name] = in_first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  first.write(dir / "model-00001-of-00002.safetensors");
  second.write(dir / "model-00002-of-00002.safetensors");
  write_json_file(dir / "model.safetensors.index.json", index);
  EXPECT_EQ(pooler_of(dir.path()), pooler_of(fixture()));
}

TEST(Dinov2Checkpoint, TruncatedWeightsAreAClearError) {
  testing::TempDir dir;
  copy_configs(dir.path());
  std::ifstream in(fixture() / "model.safetensors", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir / "model.safetensors", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));
  try {
    Dinov2Model::load(dir.path());
    FAIL() << "loaded a truncated checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
  }
}

TEST(Dinov2Checkpoint, ShapeMismatchNamesTheTensor) {
  testing::TempDir dir;
  fs::create_directories(dir.path());
  fs::copy_file(fixture() / "model.safetensors", dir / "model.safetensors");
  fs::copy_file(fixture() / "preprocessor_config.json", dir / "preprocessor_config.json");
  Json config = read_json_file(fixture() / "config.json");
  config["mlp_ratio"] = 2;  // fc1 would be [192, 96], the file has [384, 96]
  write_json_file(dir / "config.json", config);
  try {
    Dinov2Model::load(dir.path());
    FAIL() << "loaded weights that disagree with config.json";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("encoder.layer.0.mlp.fc1.weight"), std::string::npos) << e.what();
  }
}

TEST(Dinov2Checkpoint, MissingWeightsFileIsExplained) {
  testing::TempDir dir;
  copy_configs(dir.path());
  EXPECT_THROW(Dinov2Model::load(dir.path()), InputError);
}

}  // namespace
}  // namespace saerad
