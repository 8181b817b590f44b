// Image files: PNG (8/16-bit, gray/RGB/RGBA/palette) and JPEG decoding, PNG writing, conversions, and the
// errors for corrupt or unknown files.
#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <jpeglib.h>

#include <fstream>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "vision/image.hpp"

namespace saerad {
namespace {

// A PNG of any colour type / bit depth, written with libpng directly (rows given as raw big-endian samples).
std::vector<uint8_t> raw_png(int width, int height, int color_type, int bit_depth, const std::vector<uint8_t>& raw,
                             const std::vector<png_color>& palette = {}) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(
      png, &out, [](png_structp p, png_bytep data, png_size_t n) {
        auto* v = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(p));
        v->insert(v->end(), data, data + n);
      },
      nullptr);
  png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) png_set_PLTE(png, info, palette.data(), int(palette.size()));
  png_write_info(png, info);
  const size_t row_bytes = raw.size() / size_t(height);
  for (int y = 0; y < height; ++y) png_write_row(png, raw.data() + size_t(y) * row_bytes);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::vector<uint8_t> jpeg_bytes(const Image& image, int quality) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = JDIMENSION(image.width);
  cinfo.image_height = JDIMENSION(image.height);
  cinfo.input_components = image.channels;
  cinfo.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.row(int(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  return out;
}

Image gradient(int width, int height, int channels) {
  Image image(width, height, channels);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) image.row(y)[x * channels + c] = uint8_t((x * 7 + y * 3 + c * 50) % 256);
  return image;
}

std::string error_of(std::span<const uint8_t> bytes, const std::string& name) {
  try {
    decode_image(bytes, name);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Png, RoundTripsGrayRgbAndRgba) {
  for (int channels : {1, 3, 4}) {
    const Image original = gradient(37, 21, channels);
    const Image decoded = decode_image(encode_png(original), "mem.png");
    ASSERT_EQ(decoded.width, 37);
    ASSERT_EQ(decoded.height, 21);
    if (channels == 4) {  // alpha dropped, as Pillow's convert("RGB")
      EXPECT_EQ(decoded.channels, 3);
      EXPECT_EQ(decoded.pixels, to_rgb(original).pixels);
    } else {
      EXPECT_EQ(decoded.channels, channels);
      EXPECT_EQ(decoded.pixels, original.pixels);
    }
  }
}

TEST(Png, WritePngIsReadBack) {
  testing::TempDir dir;
  const Image original = gradient(5, 4, 3);
  write_png(dir / "sub" / "x.png", original);
  EXPECT_EQ(read_image(dir / "sub" / "x.png").pixels, original.pixels);
}

TEST(Png, SixteenBitIsStretchedMinToMax) {
  // Samples 1000, 2000, 3000, 5000 → (v − 1000)/4000·255 rounded: 0, 64 (63.75), 128 (127.5 rounds up), 255.
  const std::vector<uint16_t> values = {1000, 2000, 3000, 5000};
  std::vector<uint8_t> raw;
  for (uint16_t v : values) {
    raw.push_back(uint8_t(v >> 8));
    raw.push_back(uint8_t(v & 0xFF));
  }
  const Image image = decode_image(raw_png(4, 1, PNG_COLOR_TYPE_GRAY, 16, raw), "deep.png");
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 64, 128, 255}));
}

TEST(Png, PaletteAndLowBitDepthExpand) {
  const std::vector<png_color> palette = {{10, 20, 30}, {200, 100, 0}};
  // 4 pixels at 1 bit per index: 0,1,1,0 → 0b0110'0000
  const Image image = decode_image(raw_png(4, 1, PNG_COLOR_TYPE_PALETTE, 1, {0x60}, palette), "pal.png");
  ASSERT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{10, 20, 30, 200, 100, 0, 200, 100, 0, 10, 20, 30}));
  // 2-bit gray 0..3 expands to 0, 85, 170, 255.
  const Image gray = decode_image(raw_png(4, 1, PNG_COLOR_TYPE_GRAY, 2, {0x1B}), "g2.png");
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{0, 85, 170, 255}));
}

TEST(Png, CorruptAndTruncatedFilesNameTheFile) {
  std::vector<uint8_t> bytes = encode_png(gradient(64, 64, 3));
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + ptrdiff_t(bytes.size() / 2));
  EXPECT_NE(error_of(truncated, "half.png").find("half.png: corrupt or truncated PNG"), std::string::npos)
      << error_of(truncated, "half.png");
  std::vector<uint8_t> flipped = bytes;
  flipped[40] ^= 0xFF;  // inside IDAT: the CRC no longer matches
  EXPECT_NE(error_of(flipped, "flip.png").find("flip.png: corrupt"), std::string::npos);
}

TEST(Jpeg, DecodesGrayAndRgbCloseToTheOriginal) {
  for (int channels : {1, 3}) {
    Image original(32, 24, channels, 128);
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 32 * channels; ++x) original.row(y)[x] = uint8_t(100 + (x / channels) + y);
    const Image decoded = decode_image(jpeg_bytes(original, 100), "a.jpg");
    ASSERT_EQ(decoded.channels, channels);
    ASSERT_EQ(decoded.width, 32);
    int worst = 0;
    for (size_t i = 0; i < decoded.pixels.size(); ++i)
      worst = std::max(worst, std::abs(int(decoded.pixels[i]) - int(original.pixels[i])));
    EXPECT_LE(worst, 3) << "quality-100 JPEG of a smooth ramp";
  }
}

TEST(Jpeg, TruncatedAndCorruptFilesAreErrors) {
  const std::vector<uint8_t> bytes = jpeg_bytes(gradient(64, 64, 3), 90);
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + ptrdiff_t(bytes.size() / 2));
  EXPECT_NE(error_of(truncated, "cut.jpg").find("cut.jpg: corrupt JPEG"), std::string::npos);
  std::vector<uint8_t> header_only(bytes.begin(), bytes.begin() + 20);
  EXPECT_NE(error_of(header_only, "head.jpg").find("head.jpg: corrupt JPEG"), std::string::npos);
}

TEST(Image, UnknownEmptyAndMissingFiles) {
  const std::string text = "hello, not an image";
  const std::vector<uint8_t> bytes(text.begin(), text.end());
  EXPECT_NE(error_of(bytes, "notes.png").find("notes.png: not a PNG, JPEG or DICOM"), std::string::npos);
  EXPECT_NE(error_of({}, "empty.png").find("empty.png: empty file"), std::string::npos);
  EXPECT_THROW(read_image("/nonexistent/x.png"), InputError);
}

TEST(Image, GrayConversionUsesPillowLuma) {
  Image rgb(2, 1, 3);
  rgb.pixels = {255, 0, 0, 10, 200, 30};
  // Pillow: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16
  EXPECT_EQ(to_gray(rgb).pixels, (std::vector<uint8_t>{76, 124}));
  EXPECT_EQ(to_rgb(to_gray(rgb)).pixels, (std::vector<uint8_t>{76, 76, 76, 124, 124, 124}));
}

}  // namespace
}  // namespace saerad
