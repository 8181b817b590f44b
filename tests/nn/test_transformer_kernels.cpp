// The vectorised transformer kernels against scalar double-precision references, with the tolerances they promise.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "nn/transformer_kernels.hpp"

namespace saerad {
namespace {

std::vector<float> random_values(size_t n, double scale, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = float(scale * rng.normal());
  return v;
}

TEST(TransformerKernels, GeluMatchesExactErfGelu) {
  std::vector<float> x = random_values(10007, 3.0, 1);  // odd length: the vector tail is exercised too
  x.push_back(0.0f);
  x.push_back(-12.0f);
  x.push_back(12.0f);
  std::vector<float> y = x;
  nn::gelu_erf(y.data(), int64_t(y.size()));
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i], exact = 0.5 * xi * (1.0 + std::erf(xi / std::sqrt(2.0)));
    worst = std::max(worst, std::fabs(double(y[i]) - exact) / std::max(1.0, std::fabs(xi)));
  }
  // erf to 1.5e-7 absolute (A&S 7.1.26) plus float rounding: |error| ≤ 1e-6·max(1, |x|).
  EXPECT_LE(worst, 1e-6);
}

TEST(TransformerKernels, SoftmaxRowsSumToOneAndMatchDouble) {
  const int64_t rows = 5, cols = 1371;
  std::vector<float> x = random_values(size_t(rows * cols), 8.0, 2);
  std::vector<float> y = x;
  nn::softmax_rows(y.data(), rows, cols);
  for (int64_t r = 0; r < rows; ++r) {
    double max = -1e300, sum = 0;
    for (int64_t c = 0; c < cols; ++c) max = std::max(max, double(x[size_t(r * cols + c)]));
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(double(x[size_t(r * cols + c)]) - max);
    for (int64_t c = 0; c < cols; ++c) {
      const double exact = std::exp(double(x[size_t(r * cols + c)]) - max) / sum;
      // exp to ~2 ulp, plus the float sum over the row that scales every entry: with up to 16 SIMD lanes each
      // lane adds ~cols/16 terms, a worst-case relative error of (cols/16 + 4)·2⁻²⁴ ≈ 5.4e-6 at cols = 1371.
      EXPECT_NEAR(y[size_t(r * cols + c)], exact, 1e-5 * exact + 1e-12) << "row " << r << " col " << c;
    }
  }
}

TEST(TransformerKernels, LayerNormMatchesDouble) {
  const int64_t rows = 3, d = 771;
  const std::vector<float> x = random_values(size_t(rows * d), 2.0, 3), w = random_values(size_t(d), 1.0, 4),
                           b = random_values(size_t(d), 1.0, 5);
  std::vector<float> y(x.size());
  nn::layer_norm(x.data(), y.data(), w.data(), b.data(), rows, d, 1e-6f);
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < d; ++i) mean += x[size_t(r * d + i)];
    mean /= double(d);
    for (int64_t i = 0; i < d; ++i) var += std::pow(x[size_t(r * d + i)] - mean, 2);
    var /= double(d);
    for (int64_t i = 0; i < d; ++i) {
      const double exact = (x[size_t(r * d + i)] - mean) / std::sqrt(var + 1e-6) * w[size_t(i)] + b[size_t(i)];
      EXPECT_NEAR(y[size_t(r * d + i)], exact, 1e-5);
    }
  }
}

TEST(TransformerKernels, BicubicGridIsIdentityAtTheSameSizeAndKeepsConstants) {
  const std::vector<float> grid = random_values(4 * 5 * 3, 1.0, 6);
  std::vector<float> same(grid.size());
  nn::bicubic_resize_grid(grid.data(), 4, 5, same.data(), 4, 5, 3);
  EXPECT_EQ(same, grid);
  // Cubic weights sum to 1 and borders clamp: a constant grid stays constant at any size.
  const std::vector<float> constant(3 * 3 * 2, 0.25f);
  std::vector<float> bigger(7 * 6 * 2);
  nn::bicubic_resize_grid(constant.data(), 3, 3, bigger.data(), 7, 6, 2);
  for (float v : bigger) EXPECT_NEAR(v, 0.25f, 1e-6f);
}

}  // namespace
}  // namespace saerad
