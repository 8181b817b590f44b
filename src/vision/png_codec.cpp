// PNG in (libpng: 1/2/4/8/16-bit gray, RGB, palette, with or without alpha, interlaced) and out.
//
// libpng reports errors by longjmp: every object that lives across setjmp sits in a heap-free state struct
// whose address libpng holds, and the C++ error is thrown only after control is back in this frame.
#include <png.h>

#include <csetjmp>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "vision/image_codecs.hpp"

namespace saerad {
namespace {

struct PngState {
  std::span<const uint8_t> input;  // reading
  size_t position = 0;
  std::vector<uint8_t> output;  // writing
  std::string error;
  std::vector<uint8_t> raw;
  std::vector<png_bytep> rows;
};

void on_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  state->error = message ? message : "unknown libpng error";
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // benign (e.g. unknown ancillary chunks)

void read_from_memory(png_structp png, png_bytep data, png_size_t length) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  if (state->position + length > state->input.size()) png_error(png, "file truncated (read past end of data)");
  std::memcpy(data, state->input.data() + state->position, length);
  state->position += length;
}

void write_to_memory(png_structp png, png_bytep data, png_size_t length) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  state->output.insert(state->output.end(), data, data + length);
}

void flush_nothing(png_structp) {}

int png_color_type(int channels) {
  switch (channels) {
    case 1: return PNG_COLOR_TYPE_GRAY;
    case 3: return PNG_COLOR_TYPE_RGB;
    case 4: return PNG_COLOR_TYPE_RGB_ALPHA;
    default: fail("encode_png: unsupported channel count {}", channels);
  }
}

}  // namespace

Image decode_png(std::span<const uint8_t> bytes, const std::string& name) {
  PngState state;
  state.input = bytes;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (!png) fail("{}: libpng could not allocate a reader", name);
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    fail("{}: libpng could not allocate a reader", name);
  }
  Image image;
  int bit_depth = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail_input("{}: corrupt or truncated PNG: {}", name, state.error);
  }
  png_set_read_fn(png, &state, read_from_memory);
  png_read_info(png, info);
  bit_depth = png_get_bit_depth(png, info);
  const int color_type = png_get_color_type(png, info);
  // To gray or RGB, dropping alpha and ignoring palette transparency — what Pillow's convert("RGB") does.
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_set_palette_to_rgb(png);
    bit_depth = 8;
  }
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
    bit_depth = 8;
  }
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  image.width = int(png_get_image_width(png, info));
  image.height = int(png_get_image_height(png, info));
  image.channels = int(png_get_channels(png, info));
  const size_t row_bytes = png_get_rowbytes(png, info);
  state.raw.resize(row_bytes * size_t(image.height));
  state.rows.resize(size_t(image.height));
  for (int y = 0; y < image.height; ++y) state.rows[size_t(y)] = state.raw.data() + size_t(y) * row_bytes;
  png_read_image(png, state.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);

  if (image.channels != 1 && image.channels != 3) fail_input("{}: unsupported PNG layout ({} channels)", name, image.channels);
  const size_t samples = size_t(image.width) * size_t(image.height) * size_t(image.channels);
  if (bit_depth == 16) {  // big-endian samples → min–max stretch (the documented 16-bit rule)
    std::vector<float> wide(samples);
    for (size_t i = 0; i < samples; ++i) wide[i] = float((unsigned(state.raw[2 * i]) << 8) | state.raw[2 * i + 1]);
    image.pixels.resize(samples);
    stretch_to_8bit(wide, image.pixels.data());
  } else {
    image.pixels = std::move(state.raw);
  }
  return image;
}

std::vector<uint8_t> encode_png(const Image& image) {
  const int color_type = png_color_type(image.channels);
  if (image.width <= 0 || image.height <= 0) fail("encode_png: empty image ({}x{})", image.width, image.height);
  if (image.pixels.size() != size_t(image.width) * size_t(image.height) * size_t(image.channels))
    fail("encode_png: pixel buffer size does not match {}x{}x{}", image.width, image.height, image.channels);
  PngState state;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (!png) fail("encode_png: libpng could not allocate a writer");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    fail("encode_png: libpng could not allocate a writer");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fail("encode_png: {}", state.error);
  }
  png_set_write_fn(png, &state, write_to_memory, flush_nothing);
  png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  state.rows.resize(size_t(image.height));
  for (int y = 0; y < image.height; ++y) state.rows[size_t(y)] = const_cast<png_bytep>(image.row(y));
  png_write_image(png, state.rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::move(state.output);
}

void write_png(const std::filesystem::path& path, const Image& image) {
  const std::vector<uint8_t> bytes = encode_png(image);
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace saerad
