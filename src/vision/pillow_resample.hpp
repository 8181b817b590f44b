#pragma once
// Pillow's 8-bit resampling (libImaging/Resample.c), bit for bit: a horizontal then a vertical pass, each an
// antialiased convolution whose per-pixel coefficients are normalised to sum 1 and quantised to 22-bit fixed
// point, accumulated in integers with round-half-up, clipped to 0..255; the intermediate image is uint8.
// HF image processors resize through PIL, so matching their pixel_values bit-exactly needs this, not a float
// resampler (which is off by one level on some pixels).
#include "vision/image.hpp"

namespace saerad {

enum class PillowFilter { kBilinear, kBicubic };  // PIL.Image.BILINEAR (2), BICUBIC (3, a = −0.5)

// image: [H, W, C] uint8 → [height, width, C] uint8 (Image.resize(size, filter, reducing_gap=None)).
Image pillow_resize(const Image& image, int width, int height, PillowFilter filter = PillowFilter::kBicubic);

}  // namespace saerad
