// The tiny DINOv2 fixtures (random weights; expected outputs from PyTorch + PIL following the HF code):
// preprocessing bit-exact, forward within 1e-4, at the native size and with an interpolated position table.
#include <gtest/gtest.h>

#include <cmath>

#include "core/npy.hpp"
#include "support/test_support.hpp"
#include "max_abs_diff.hpp"
#include "vision/dinov2_model.hpp"
#include "vision/hf_preprocess.hpp"

namespace saerad {
namespace {

namespace fs = std::filesystem;
using testing::max_abs_diff;


class Dinov2Fixture : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path dir() const { return testing::test_data_dir() / "vision" / GetParam(); }
};

TEST_P(Dinov2Fixture, PixelValuesAreBitExact) {
  const auto config = read_image_processor_config(dir() / "preprocessor_config.json");
  const PixelValues pixels = preprocess_image(read_image(dir() / "image.png"), config);
  const TensorView expected = read_npy(dir() / "expected_pixel_values.npy");
  ASSERT_EQ(expected.shape, (std::vector<int64_t>{1, 3, pixels.height, pixels.width}));
  // 1e-5 is far below one uint8 level after normalisation (1/255/0.2583 ≈ 0.0152): the resize is exact.
  EXPECT_LE(max_abs_diff(pixels.data, expected.to_f32()), 1e-5f);
}

TEST_P(Dinov2Fixture, ForwardMatchesLastHiddenStateAndPooler) {
  Dinov2Model model = Dinov2Model::load(dir());
  const auto config = read_image_processor_config(dir() / "preprocessor_config.json");
  const PixelValues pixels = preprocess_image(read_image(dir() / "image.png"), config);
  const int64_t d = model.config().hidden_size, tokens = model.tokens(pixels.height, pixels.width);
  std::vector<float> pooler(static_cast<size_t>(d)), hidden(static_cast<size_t>(tokens * d));
  model.forward({&pixels, 1}, pooler.data(), hidden.data());

  const TensorView expected_hidden = read_npy(dir() / "expected_last_hidden_state.npy");
  ASSERT_EQ(expected_hidden.shape, (std::vector<int64_t>{1, tokens, d}));
  const float hidden_error = max_abs_diff(hidden, expected_hidden.to_f32());
  EXPECT_LE(hidden_error, 1e-4f);
  const TensorView expected_pooler = read_npy(dir() / "expected_pooler_output.npy");
  const float pooler_error = max_abs_diff(pooler, expected_pooler.to_f32());
  EXPECT_LE(pooler_error, 1e-4f);

  // The pooler-only path (final LayerNorm on CLS rows only) gives the same numbers.
  std::vector<float> pooler_only(static_cast<size_t>(d));
  model.forward({&pixels, 1}, pooler_only.data());
  EXPECT_LE(max_abs_diff(pooler_only, pooler), 1e-6f);
  ::testing::Test::RecordProperty("last_hidden_state_max_abs_error", std::to_string(hidden_error));
  std::printf("[%s] last_hidden_state max abs error %.3g, pooler %.3g\n", GetParam().c_str(), hidden_error,
              pooler_error);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Dinov2Fixture, ::testing::Values("dinov2-tiny", "dinov2-tiny-interp"),
                         [](const auto& info) { return info.param == "dinov2-tiny" ? std::string("native")
                                                                                   : std::string("interpolated"); });

}  // namespace
}  // namespace saerad
