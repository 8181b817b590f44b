// The weight-free builtin encoder (fingerprint "builtin-v1"): multi-scale regional intensity and texture
// statistics of the radiograph (docs/builtin-encoder.md). Each image is converted to gray, resized to
// 128 × 128 (Pillow-exact antialiased bilinear) and standardised by its own mean and standard deviation (so
// exposure and brightness drop out); then, in fixed grids, the cell means of the standardised image (shape:
// heart, domes, fluid, opacities), its local contrast, horizontal and vertical edge energy (ribs, pleural
// lines, tubes), Laplacian energy (fine lines: vessels, leads, septal lines) and the fraction of very bright
// and very dark pixels (metal, air). Every family is multiplied by a fixed constant so its typical spread
// is about 1 — the encoder is stateless, so this calibration is part of its definition (changing any of it
// changes the fingerprint).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "vision/encoder.hpp"
#include "vision/pillow_resample.hpp"

namespace saerad {

namespace {

constexpr int kSide = 128;        // working resolution
constexpr int kFineGrid = 16;     // cell means of the standardised image
constexpr int kTextureGrid = 8;   // texture statistics
constexpr int kCoarseGrids[] = {1, 2};
constexpr int kTextureStats = 6;  // contrast, |dx|, |dy|, |laplacian|, bright fraction, dark fraction
// Per-family scales (typical spread → about 1), measured once on the phantom cohort.
constexpr float kMeanScale = 1.0f, kContrastScale = 2.0f, kEdgeScale = 6.0f, kLaplacianScale = 4.0f,
                kFractionScale = 4.0f, kGlobalScale = 8.0f;
constexpr float kBright = 1.8f, kDark = -1.4f;  // standardised thresholds (≈ metal / air)

constexpr int64_t feature_dim() {
  int64_t d = 2;  // raw global mean and standard deviation
  d += kFineGrid * kFineGrid;
  d += kTextureGrid * kTextureGrid * kTextureStats;
  for (int g : kCoarseGrids) d += g * g * (1 + kTextureStats);
  return d;
}

// Texture maps of one standardised image z: [kSide, kSide].
struct Maps {
  std::vector<float> z, dx, dy, lap;
};

Maps texture_maps(std::vector<float> z) {
  Maps m;
  const size_t n = size_t(kSide) * kSide;
  m.dx.assign(n, 0.0f);
  m.dy.assign(n, 0.0f);
  m.lap.assign(n, 0.0f);
  auto at = [&](int x, int y) { return z[size_t(std::clamp(y, 0, kSide - 1)) * kSide + size_t(std::clamp(x, 0, kSide - 1))]; };
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      const size_t i = size_t(y) * kSide + size_t(x);
      m.dx[i] = std::abs(at(x + 1, y) - at(x - 1, y)) * 0.5f;
      m.dy[i] = std::abs(at(x, y + 1) - at(x, y - 1)) * 0.5f;
      m.lap[i] = std::abs(4 * at(x, y) - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1));
    }
  m.z = std::move(z);
  return m;
}

// Statistics of the cells of a grid × grid partition. mean_out: [grid²] (may be null);
// texture_out: [grid², kTextureStats] (may be null).
void cell_stats(const Maps& m, int grid, float* mean_out, float* texture_out) {
  const int cell = kSide / grid;
  const float inv = 1.0f / float(cell * cell);
  for (int gy = 0; gy < grid; ++gy)
    for (int gx = 0; gx < grid; ++gx) {
      double sum = 0, sum2 = 0, sdx = 0, sdy = 0, slap = 0;
      int bright = 0, dark = 0;
      for (int y = gy * cell; y < (gy + 1) * cell; ++y)
        for (int x = gx * cell; x < (gx + 1) * cell; ++x) {
          const size_t i = size_t(y) * kSide + size_t(x);
          const float v = m.z[i];
          sum += v;
          sum2 += double(v) * v;
          sdx += m.dx[i];
          sdy += m.dy[i];
          slap += m.lap[i];
          bright += v > kBright;
          dark += v < kDark;
        }
      const int c = gy * grid + gx;
      const double mean = sum * inv;
      if (mean_out) mean_out[c] = float(mean) * kMeanScale;
      if (texture_out) {
        float* t = texture_out + size_t(c) * kTextureStats;
        t[0] = float(std::sqrt(std::max(0.0, sum2 * inv - mean * mean))) * kContrastScale;
        t[1] = float(sdx * inv) * kEdgeScale;
        t[2] = float(sdy * inv) * kEdgeScale;
        t[3] = float(slap * inv) * kLaplacianScale;
        t[4] = float(bright) * inv * kFractionScale;
        t[5] = float(dark) * inv * kFractionScale;
      }
    }
}

class BuiltinEncoder final : public ImageEncoder {
 public:
  std::string fingerprint() const override { return "builtin-v1"; }
  int64_t dim() const override { return feature_dim(); }
  Json preprocess_settings() const override {
    return {{"encoder", "builtin-v1"},
            {"resize", kSide},
            {"resample", "pillow-bilinear"},
            {"standardise", "per-image mean/std"},
            {"grids", {{"mean", kFineGrid}, {"texture", kTextureGrid}, {"coarse", {1, 2}}}}};
  }

  // images: n → out: [n, dim()]
  void encode(std::span<const Image> images, float* out) override {
    const int64_t d = dim();
    const int n = int(images.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n; ++i) encode_one(images[size_t(i)], out + size_t(i) * size_t(d));
  }

 private:
  static void encode_one(const Image& image, float* out) {
    if (image.width <= 0 || image.height <= 0) fail("builtin encoder: empty image");
    const Image gray = pillow_resize(to_gray(image), kSide, kSide, PillowFilter::kBilinear);
    const size_t n = size_t(kSide) * kSide;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; ++i) {
      const double v = gray.pixels[i] / 255.0;
      sum += v;
      sum2 += v * v;
    }
    const double mean = sum / double(n), sd = std::sqrt(std::max(1e-12, sum2 / double(n) - mean * mean));
    std::vector<float> z(n);
    for (size_t i = 0; i < n; ++i) z[i] = float((gray.pixels[i] / 255.0 - mean) / std::max(sd, 1e-3));
    const Maps maps = texture_maps(std::move(z));

    float* o = out;
    *o++ = float(mean - 0.5) * kGlobalScale;
    *o++ = float(sd - 0.25) * kGlobalScale;
    cell_stats(maps, kFineGrid, o, nullptr);
    o += kFineGrid * kFineGrid;
    cell_stats(maps, kTextureGrid, nullptr, o);
    o += kTextureGrid * kTextureGrid * kTextureStats;
    for (int g : kCoarseGrids) {
      std::vector<float> texture(size_t(g) * g * kTextureStats);
      cell_stats(maps, g, o, texture.data());
      o += g * g;
      o = std::copy(texture.begin(), texture.end(), o);
    }
  }
};

}  // namespace

std::unique_ptr<ImageEncoder> make_builtin_encoder() { return std::make_unique<BuiltinEncoder>(); }

}  // namespace saerad
