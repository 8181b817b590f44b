#pragma once
// The decoders behind read_image/decode_image, one per file format (png_codec.cpp, jpeg_codec.cpp,
// dicom_codec.cpp). Each takes the whole file in memory and the name to put in its errors.
#include <cstdint>
#include <span>
#include <string>

#include "vision/image.hpp"

namespace saerad {

enum class ImageFormat { kPng, kJpeg, kDicom, kUnknown };

ImageFormat sniff_image_format(std::span<const uint8_t> bytes);  // by magic bytes
const char* image_format_name(ImageFormat format);

Image decode_png(std::span<const uint8_t> bytes, const std::string& name);
Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& name);
Image decode_dicom(std::span<const uint8_t> bytes, const std::string& name);

// High-bit-depth samples → 8-bit by a min–max stretch over all of them: v ↦ round(255·(v−min)/(max−min)),
// a constant image ↦ 0. Used for 16-bit PNG and (after the DICOM value transforms) for DICOM.
// values: [n] → out: [n]
void stretch_to_8bit(std::span<const float> values, uint8_t* out);

}  // namespace saerad
