// Format dispatch and colour conversions for decoded images.
#include "vision/image.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/error.hpp"
#include "core/mapped_file.hpp"
#include "vision/image_codecs.hpp"

namespace saerad {

ImageFormat sniff_image_format(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kPngMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) return ImageFormat::kPng;
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return ImageFormat::kJpeg;
  if (bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0) return ImageFormat::kDicom;
  // DICOM without the 128-byte preamble (old ACR-NEMA style files): starts with a little-endian tag of group
  // 0x0002 (meta header) or 0x0008 (identifying information).
  if (bytes.size() >= 8 && (bytes[0] == 0x02 || bytes[0] == 0x08) && bytes[1] == 0x00 && bytes[3] == 0x00)
    return ImageFormat::kDicom;
  return ImageFormat::kUnknown;
}

const char* image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kDicom: return "DICOM";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

void stretch_to_8bit(std::span<const float> values, uint8_t* out) {
  if (values.empty()) return;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const double min = *lo, range = double(*hi) - double(*lo);
  if (!(range > 0)) {
    std::fill_n(out, values.size(), uint8_t{0});
    return;
  }
  // ·255 then ÷range (not ×(255/range)): exact halves such as 127.5 stay exact and round up.
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = uint8_t(std::clamp(std::lround((double(values[i]) - min) * 255.0 / range), 0L, 255L));
}

Image decode_image(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.empty()) fail_input("{}: empty file, not an image", name);
  switch (sniff_image_format(bytes)) {
    case ImageFormat::kPng: return decode_png(bytes, name);
    case ImageFormat::kJpeg: return decode_jpeg(bytes, name);
    case ImageFormat::kDicom: return decode_dicom(bytes, name);
    case ImageFormat::kUnknown: break;
  }
  fail_input("{}: not a PNG, JPEG or DICOM file (unrecognised leading bytes)", name);
}

Image read_image(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail_input("{}: is a directory, not an image", path);
  if (!std::filesystem::exists(path, ec)) fail_input("{}: no such image file", path);
  if (std::filesystem::file_size(path, ec) == 0 && !ec) fail_input("{}: empty file, not an image", path);
  auto file = MappedFile::open(path);
  return decode_image({reinterpret_cast<const uint8_t*>(file->data()), file->size()}, path.string());
}

Image to_gray(const Image& image) {
  if (image.channels == 1) return image;
  if (image.channels != 3 && image.channels != 4) fail("to_gray: unsupported channel count {}", image.channels);
  Image gray(image.width, image.height, 1);
  const size_t n = size_t(image.width) * size_t(image.height);
  const uint8_t* src = image.pixels.data();
  const int step = image.channels;
  // Pillow's RGB→L: ITU-R 601-2 luma in 16-bit fixed point, rounded.
  for (size_t i = 0; i < n; ++i, src += step)
    gray.pixels[i] = uint8_t((src[0] * 19595u + src[1] * 38470u + src[2] * 7471u + 0x8000u) >> 16);
  return gray;
}

Image to_rgb(const Image& image) {
  if (image.channels == 3) return image;
  Image rgb(image.width, image.height, 3);
  const size_t n = size_t(image.width) * size_t(image.height);
  const uint8_t* src = image.pixels.data();
  uint8_t* dst = rgb.pixels.data();
  if (image.channels == 1) {
    for (size_t i = 0; i < n; ++i) dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = src[i];
  } else if (image.channels == 4) {  // alpha dropped, as Pillow's convert("RGB") does
    for (size_t i = 0; i < n; ++i) std::memcpy(dst + 3 * i, src + 4 * i, 3);
  } else {
    fail("to_rgb: unsupported channel count {}", image.channels);
  }
  return rgb;
}

}  // namespace saerad
