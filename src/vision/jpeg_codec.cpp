// JPEG in (libjpeg-turbo; baseline and progressive, gray or YCbCr/RGB) with libjpeg's default decoder
// settings — the ones Pillow uses (islow IDCT, fancy upsampling) — so pixels match Pillow's.
//
// libjpeg reports errors by longjmp: state that lives across setjmp sits in a struct whose address libjpeg
// holds, and the C++ error is thrown only after control is back in this frame.
#include <cstdio>  // jpeglib.h needs FILE
#include <jerror.h>
#include <jpeglib.h>

#include <csetjmp>

#include "core/error.hpp"
#include "vision/image_codecs.hpp"

namespace saerad {
namespace {

struct JpegErrorState {
  jpeg_error_mgr manager;  // first member: libjpeg casts cinfo->err back to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
  bool truncated = false;
};

void on_error_exit(j_common_ptr cinfo) {
  auto* state = reinterpret_cast<JpegErrorState*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, state->message);
  std::longjmp(state->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  // Warnings (level −1): a premature end of data is fatal here, as it is in Pillow (the rest of the image
  // would be invented gray); other corrupt-data warnings are tolerated as Pillow does.
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) reinterpret_cast<JpegErrorState*>(cinfo->err)->truncated = true;
}

}  // namespace

Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& name) {
  jpeg_decompress_struct cinfo{};
  JpegErrorState errors;
  cinfo.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = on_error_exit;
  errors.manager.emit_message = on_message;
  Image image;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    fail_input("{}: corrupt JPEG: {}", name, errors.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_YCbCr:
    case JCS_RGB: cinfo.out_color_space = JCS_RGB; break;
    default:
      jpeg_destroy_decompress(&cinfo);
      fail_input("{}: unsupported JPEG colour space (CMYK/YCCK); convert it to RGB or grayscale first", name);
  }
  jpeg_start_decompress(&cinfo);
  image.width = int(cinfo.output_width);
  image.height = int(cinfo.output_height);
  image.channels = int(cinfo.output_components);
  image.pixels.resize(size_t(image.width) * size_t(image.height) * size_t(image.channels));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.row(int(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  if (!errors.truncated) jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (errors.truncated) fail_input("{}: corrupt JPEG: file truncated (premature end of data)", name);
  return image;
}

}  // namespace saerad
