// Pillow's two-pass fixed-point resample; names and arithmetic follow libImaging/Resample.c so the two can be
// compared line by line (double coefficients, (int)(±0.5 + k·2^22) quantisation, int accumulation).
#include "vision/pillow_resample.hpp"

#include <cmath>

#include "core/error.hpp"

namespace saerad {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

// The taps of every output pixel along one axis: input range [bounds[2i], +bounds[2i+1]) and its
// fixed-point coefficients coefficients[i·ksize …].
struct Taps {
  int ksize = 0;
  std::vector<int> bounds;
  std::vector<int32_t> coefficients;
};

// precompute_coeffs + normalize_coeffs_8bpc for the box [0, in_size) → out_size.
Taps precompute_taps(int in_size, int out_size, PillowFilter filter) {
  double (*kernel)(double) = filter == PillowFilter::kBicubic ? bicubic_filter : bilinear_filter;
  const double filter_support = filter == PillowFilter::kBicubic ? 2.0 : 1.0;
  const float in0 = 0.f, in1 = float(in_size);  // Pillow's box is float
  const double scale = double(in1 - in0) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = filter_support * filterscale;
  Taps taps;
  taps.ksize = int(std::ceil(support)) * 2 + 1;
  taps.bounds.resize(size_t(out_size) * 2);
  taps.coefficients.assign(size_t(out_size) * size_t(taps.ksize), 0);
  std::vector<double> k(size_t(taps.ksize));
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = kernel((x + xmin - center + 0.5) * ss);
      k[size_t(x)] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x)
      if (ww != 0.0) k[size_t(x)] /= ww;
    int32_t* fixed = &taps.coefficients[size_t(xx) * size_t(taps.ksize)];
    for (int x = 0; x < xmax; ++x) {
      const double v = k[size_t(x)];
      fixed[x] = v < 0 ? int32_t(-0.5 + v * (1 << kPrecisionBits)) : int32_t(0.5 + v * (1 << kPrecisionBits));
    }
    taps.bounds[size_t(xx) * 2] = xmin;
    taps.bounds[size_t(xx) * 2 + 1] = xmax;
  }
  return taps;
}

inline uint8_t clip8(int32_t in) {
  if (in >= (1 << kPrecisionBits << 8)) return 255;
  if (in <= 0) return 0;
  return uint8_t(in >> kPrecisionBits);
}

// in: [rows ≥ row_offset + out.height, in.width, C] → out: [out.height, out.width, C], along x.
void resample_horizontal(const Image& in, Image& out, int row_offset, const Taps& taps) {
  const int c = in.channels;
  for (int yy = 0; yy < out.height; ++yy) {
    const uint8_t* src = in.row(yy + row_offset);
    uint8_t* dst = out.row(yy);
    for (int xx = 0; xx < out.width; ++xx) {
      const int xmin = taps.bounds[size_t(xx) * 2], xmax = taps.bounds[size_t(xx) * 2 + 1];
      const int32_t* k = &taps.coefficients[size_t(xx) * size_t(taps.ksize)];
      for (int ch = 0; ch < c; ++ch) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int x = 0; x < xmax; ++x) ss += int32_t(src[(x + xmin) * c + ch]) * k[x];
        dst[xx * c + ch] = clip8(ss);
      }
    }
  }
}

// in: [H, W, C] → out: [out.height, W, C], along y (bounds already relative to in's first row).
void resample_vertical(const Image& in, Image& out, const Taps& taps) {
  const size_t row_len = size_t(in.width) * size_t(in.channels);
  std::vector<int32_t> acc(row_len);
  for (int yy = 0; yy < out.height; ++yy) {
    const int ymin = taps.bounds[size_t(yy) * 2], ymax = taps.bounds[size_t(yy) * 2 + 1];
    const int32_t* k = &taps.coefficients[size_t(yy) * size_t(taps.ksize)];
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0; y < ymax; ++y) {  // row-wise accumulation: same integer sums, cache-friendly order
      const uint8_t* src = in.row(y + ymin);
      const int32_t ky = k[y];
      for (size_t i = 0; i < row_len; ++i) acc[i] += int32_t(src[i]) * ky;
    }
    uint8_t* dst = out.row(yy);
    for (size_t i = 0; i < row_len; ++i) dst[i] = clip8(acc[i]);
  }
}

}  // namespace

Image pillow_resize(const Image& image, int width, int height, PillowFilter filter) {
  if (width <= 0 || height <= 0) fail("pillow_resize: invalid target size {}x{}", width, height);
  if (image.width <= 0 || image.height <= 0) fail("pillow_resize: empty image");
  const bool need_horizontal = width != image.width;
  const bool need_vertical = height != image.height;
  if (!need_horizontal && !need_vertical) return image;
  const Taps horizontal = precompute_taps(image.width, width, filter);
  Taps vertical = precompute_taps(image.height, height, filter);
  // Only the rows the vertical pass reads go through the horizontal pass.
  const int first_row = vertical.bounds[0];
  const int last_row = vertical.bounds[size_t(height) * 2 - 2] + vertical.bounds[size_t(height) * 2 - 1];
  Image current;
  const Image* source = &image;
  if (need_horizontal) {
    for (int i = 0; i < height; ++i) vertical.bounds[size_t(i) * 2] -= first_row;
    current = Image(width, last_row - first_row, image.channels);
    resample_horizontal(image, current, first_row, horizontal);
    source = &current;
  }
  if (!need_vertical) return current;
  Image out(source->width, height, image.channels);
  resample_vertical(*source, out, vertical);
  return out;
}

}  // namespace saerad
