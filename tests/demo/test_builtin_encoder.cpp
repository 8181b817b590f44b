// The builtin encoder (vision/builtin_encoder.cpp, docs/builtin-encoder.md): its size and fingerprint, that it
// is deterministic and finite, exposure-invariant (per-image standardisation), and that findings move the
// features of the region they are in.
#include <gtest/gtest.h>

#include <cmath>

#include "demo/phantom_cohort.hpp"
#include "demo/phantom_render.hpp"
#include "vision/encoder.hpp"

namespace saerad::demo {
namespace {

std::vector<float> encode(ImageEncoder& enc, const std::vector<Image>& images) {
  std::vector<float> out(images.size() * size_t(enc.dim()));
  enc.encode(images, out.data());
  return out;
}

TEST(BuiltinEncoder, FingerprintDimAndSettings) {
  auto enc = make_builtin_encoder();
  EXPECT_EQ(enc->fingerprint(), "builtin-v1");
  EXPECT_EQ(enc->dim(), 677);  // 2 + 16² + 8²·6 + (1 + 4)·7, see docs/builtin-encoder.md
  EXPECT_EQ(enc->preprocess_settings().value("resize", 0), 128);
}

TEST(BuiltinEncoder, DeterministicFiniteAndSizeIndependent) {
  auto enc = make_builtin_encoder();
  const PhantomStudy s = sample_study(9, 4);
  const std::vector<Image> images = {render_phantom(s, 256), render_phantom(s, 256), render_phantom(s, 512)};
  const auto f = encode(*enc, images);
  const size_t d = size_t(enc->dim());
  for (size_t j = 0; j < d; ++j) {
    ASSERT_TRUE(std::isfinite(f[j]));
    EXPECT_EQ(f[j], f[d + j]);
  }
  // Same anatomy rendered at twice the size: the 16×16 shape block agrees to 0.3 (the per-family scale is
  // about 1; texture statistics legitimately change with the rendering's detail, so they are not compared).
  for (size_t j = 2; j < 2 + 256; ++j) EXPECT_NEAR(f[j], f[2 * d + j], 0.3) << "feature " << j;
}

TEST(BuiltinEncoder, ExposureShiftLeavesStandardisedFeaturesAlone) {
  auto enc = make_builtin_encoder();
  Image a = render_phantom(sample_study(2, 1), 256), b = a;
  for (auto& p : b.pixels) p = uint8_t(std::min(255, p / 2 + 40));  // a darker, flatter exposure
  const auto f = encode(*enc, {a, b});
  const size_t d = size_t(enc->dim());
  double diff = 0;
  for (size_t j = 2; j < 2 + 256; ++j) diff = std::max(diff, double(std::abs(f[j] - f[d + j])));
  EXPECT_LT(diff, 0.1);  // the 16×16 cell means of the standardised image (quantisation error only)
  EXPECT_GT(std::abs(f[0] - f[d]), 0.5);  // while the raw global mean records the change
}

TEST(BuiltinEncoder, EffusionRaisesTheLowerCellsOfItsSide) {
  auto enc = make_builtin_encoder();
  PhantomStudy s = sample_study(0, 0);
  for (auto& f : s.findings) f.present = false;
  PhantomStudy e = s;
  e.findings[size_t(Finding::kPleuralEffusion)] = {.present = true, .side = Side::kRight, .severity = Severity::kSevere};
  const auto f = encode(*enc, {render_phantom(s, 256), render_phantom(e, 256)});
  const size_t d = size_t(enc->dim());
  // 16×16 grid: rows 9–11, columns 3–5 = the image-left (patient-right) lung base.
  double delta = 0;
  for (int gy = 9; gy <= 11; ++gy)
    for (int gx = 3; gx <= 5; ++gx) delta += f[d + 2 + size_t(gy * 16 + gx)] - f[2 + size_t(gy * 16 + gx)];
  EXPECT_GT(delta / 9, 0.3);
}

}  // namespace
}  // namespace saerad::demo
