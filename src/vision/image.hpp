#pragma once
// Decoded images (8-bit, interleaved, row-major) and their files: PNG, JPEG, DICOM in; PNG out.
// (Contract used by vision/, demo/ and serve/.)
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace saerad {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;             // 1 gray, 3 RGB (4 RGBA only transiently while decoding)
  std::vector<uint8_t> pixels;  // height × width × channels

  uint8_t* row(int y) { return pixels.data() + size_t(y) * size_t(width) * size_t(channels); }
  const uint8_t* row(int y) const { return pixels.data() + size_t(y) * size_t(width) * size_t(channels); }
  Image() = default;
  Image(int w, int h, int c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(size_t(w) * size_t(h) * size_t(c), fill) {}
};

// Decodes by content (magic bytes), not by extension: PNG (8/16-bit gray/RGB/RGBA/palette; 16-bit → 8-bit
// by the documented rule), JPEG, DICOM. Errors name the file and the problem (corrupt, unsupported).
Image read_image(const std::filesystem::path& path);
Image decode_image(std::span<const uint8_t> bytes, const std::string& name);  // same, from memory (uploads)

void write_png(const std::filesystem::path& path, const Image& image);  // atomic
std::vector<uint8_t> encode_png(const Image& image);

Image to_gray(const Image& image);
Image to_rgb(const Image& image);

}  // namespace saerad
