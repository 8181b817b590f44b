// DICOM in (DCMTK): the first frame of a gray (MONOCHROME1/2) or colour (RGB/YBR_FULL) image in any transfer
// syntax DCMTK decodes (uncompressed, deflate, JPEG baseline/extended/lossless, JPEG-LS, RLE).
//
// Gray images go to 8-bit by the rule docs/embedding.md states:
//   stored value (BitsStored bits at HighBit, sign-extended when PixelRepresentation = 1)
//   → modality transform (Modality LUT Sequence, else RescaleSlope·x + RescaleIntercept)
//   → VOI transform (the first VOI LUT Sequence item, else the first WindowCenter/WindowWidth with
//     VOILUTFunction LINEAR / LINEAR_EXACT / SIGMOID, else none)
//   → MONOCHROME1 inverted (x ↦ −x)
//   → min–max stretch to 0..255 (stretch_to_8bit).
// The value transforms are done here rather than by DicomImage so the rule is explicit and testable.
#include <dcmtk/config/osconfig.h>  // first, as DCMTK requires
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <algorithm>
#include <cstring>
#include <bit>
#include <cmath>
#include <mutex>
#include <optional>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "vision/image_codecs.hpp"

static_assert(std::endian::native == std::endian::little, "DICOM pixel bytes are read as little-endian");

namespace saerad {
namespace {

void register_dicom_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

bool is_jpeg2000(E_TransferSyntax syntax) {
  return syntax == EXS_JPEG2000LosslessOnly || syntax == EXS_JPEG2000 ||
         syntax == EXS_JPEG2000MulticomponentLosslessOnly || syntax == EXS_JPEG2000Multicomponent;
}

long get_int(DcmItem& item, const DcmTagKey& tag, long fallback) {
  Uint16 u16 = 0;
  if (item.findAndGetUint16(tag, u16).good()) return u16;
  Sint32 s32 = 0;
  if (item.findAndGetSint32(tag, s32).good()) return s32;  // IS (e.g. NumberOfFrames)
  return fallback;
}

std::optional<double> get_double(DcmItem& item, const DcmTagKey& tag) {
  Float64 value = 0;
  if (item.findAndGetFloat64(tag, value, 0).good()) return value;
  return std::nullopt;
}

std::string get_string(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  if (item.findAndGetOFString(tag, value).good()) return std::string(trim(value.c_str()));
  return {};
}

// A lookup table (Modality or VOI LUT Sequence item): input x ↦ data[clamp(x − first_mapped, 0, n−1)].
struct Lut {
  long first_mapped = 0;
  std::vector<float> data;
  float apply(float x) const {
    const long index = std::clamp(std::lround(std::floor(x)) - first_mapped, 0L, long(data.size()) - 1);
    return data[size_t(index)];
  }
};

std::optional<Lut> read_lut(DcmItem& dataset, const DcmTagKey& sequence, const std::string& name) {
  DcmItem* item = nullptr;
  if (dataset.findAndGetSequenceItem(sequence, item, 0).bad() || !item) return std::nullopt;
  // LUTDescriptor: entries (0 means 65536), first mapped value (US or SS, so re-read signed), bits.
  Uint16 entries = 0, first = 0, bits = 0;
  if (item->findAndGetUint16(DCM_LUTDescriptor, entries, 0).bad() ||
      item->findAndGetUint16(DCM_LUTDescriptor, first, 1).bad() || item->findAndGetUint16(DCM_LUTDescriptor, bits, 2).bad())
    fail_input("{}: {} has no valid LUTDescriptor", name, DcmTag(sequence).getTagName());
  const size_t n = entries == 0 ? 65536 : entries;
  const Uint16* words = nullptr;
  unsigned long count = 0;
  Lut lut;
  lut.first_mapped = long(first);
  if (item->findAndGetUint16Array(DCM_LUTData, words, &count).good() && words && count >= n) {
    lut.data.assign(words, words + n);
  } else {
    const Uint8* bytes = nullptr;
    if (item->findAndGetUint8Array(DCM_LUTData, bytes, &count).bad() || !bytes || count < n)
      fail_input("{}: {} LUTData is missing or shorter than its descriptor ({} entries)", name,
                 DcmTag(sequence).getTagName(), n);
    lut.data.assign(bytes, bytes + n);
  }
  (void)bits;
  return lut;
}

// DICOM PS3.3 C.11.2.1.2: window centre c, width w → [0, 1].
float apply_window(float x, double c, double w, const std::string& function) {
  if (function == "SIGMOID") return float(1.0 / (1.0 + std::exp(-4.0 * (x - c) / w)));
  if (function == "LINEAR_EXACT") {
    if (x <= c - w / 2) return 0.f;
    if (x > c + w / 2) return 1.f;
    return float((x - c) / w + 0.5);
  }
  if (w <= 1) return x <= c - 0.5 ? 0.f : 1.f;
  if (x <= c - 0.5 - (w - 1) / 2) return 0.f;
  if (x > c - 0.5 + (w - 1) / 2) return 1.f;
  return float((x - (c - 0.5)) / (w - 1) + 0.5);
}

struct PixelLayout {
  long rows = 0, columns = 0, samples = 1, bits_allocated = 0, bits_stored = 0, high_bit = 0, representation = 0,
       planar = 0, frames = 1;
  std::string photometric;
  size_t frame_bytes() const { return size_t(rows) * size_t(columns) * size_t(samples) * size_t(bits_allocated / 8); }
};

// The stored values of the first frame's single sample plane: bytes → [rows·columns] as float.
std::vector<float> stored_values(const uint8_t* frame, const PixelLayout& layout) {
  const size_t n = size_t(layout.rows) * size_t(layout.columns);
  std::vector<float> values(n);
  const int shift = int(layout.high_bit + 1 - layout.bits_stored);
  const uint32_t mask = layout.bits_stored >= 32 ? 0xFFFFFFFFu : ((1u << layout.bits_stored) - 1u);
  const uint32_t sign = 1u << (layout.bits_stored - 1);
  for (size_t i = 0; i < n; ++i) {
    uint32_t word = 0;
    if (layout.bits_allocated == 8) word = frame[i];
    else if (layout.bits_allocated == 16) word = uint32_t(frame[2 * i]) | (uint32_t(frame[2 * i + 1]) << 8);
    else std::memcpy(&word, frame + 4 * i, 4);
    word = (word >> shift) & mask;
    if (layout.representation == 1 && (word & sign)) values[i] = float(int64_t(word) - (int64_t(mask) + 1));
    else values[i] = float(word);
  }
  return values;
}

Image gray_image(DcmDataset& dataset, const uint8_t* frame, const PixelLayout& layout, const std::string& name) {
  std::vector<float> values = stored_values(frame, layout);
  if (auto modality_lut = read_lut(dataset, DCM_ModalityLUTSequence, name)) {
    for (float& v : values) v = modality_lut->apply(v);
  } else {
    const double slope = get_double(dataset, DCM_RescaleSlope).value_or(1.0);
    const double intercept = get_double(dataset, DCM_RescaleIntercept).value_or(0.0);
    for (float& v : values) v = float(v * slope + intercept);
  }
  if (auto voi_lut = read_lut(dataset, DCM_VOILUTSequence, name)) {
    for (float& v : values) v = voi_lut->apply(v);
  } else {
    auto center = get_double(dataset, DCM_WindowCenter);
    auto width = get_double(dataset, DCM_WindowWidth);
    if (center && width && *width > 0) {
      std::string function = get_string(dataset, DCM_VOILUTFunction);
      for (float& v : values) v = apply_window(v, *center, *width, function);
    }
  }
  if (layout.photometric == "MONOCHROME1")
    for (float& v : values) v = -v;
  Image image(int(layout.columns), int(layout.rows), 1);
  stretch_to_8bit(values, image.pixels.data());
  return image;
}

Image colour_image(const uint8_t* frame, const PixelLayout& layout, const std::string& name) {
  if (layout.bits_allocated != 8) fail_input("{}: {}-bit colour DICOM is not supported", name, layout.bits_allocated);
  const size_t n = size_t(layout.rows) * size_t(layout.columns);
  Image image(int(layout.columns), int(layout.rows), 3);
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < 3; ++c) image.pixels[3 * i + c] = layout.planar == 1 ? frame[c * n + i] : frame[3 * i + c];
  if (layout.photometric == "YBR_FULL") {  // PS3.3 C.7.6.3.1.2, full-range BT.601
    for (size_t i = 0; i < n; ++i) {
      uint8_t* p = &image.pixels[3 * i];
      const double y = p[0], cb = p[1] - 128.0, cr = p[2] - 128.0;
      auto clip = [](double v) { return uint8_t(std::clamp(std::lround(v), 0L, 255L)); };
      p[0] = clip(y + 1.402 * cr);
      p[1] = clip(y - 0.344136 * cb - 0.714136 * cr);
      p[2] = clip(y + 1.772 * cb);
    }
  }
  return image;
}

}  // namespace

Image decode_dicom(std::span<const uint8_t> bytes, const std::string& name) {
  register_dicom_codecs();
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), offile_off_t(bytes.size()));
  stream.setEos();
  DcmFileFormat file;
  file.transferInit();
  OFCondition status = file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file.transferEnd();
  if (status.bad()) fail_input("{}: corrupt DICOM: {}", name, status.text());
  DcmDataset& dataset = *file.getDataset();
  const E_TransferSyntax syntax = dataset.getOriginalXfer();
  if (is_jpeg2000(syntax))
    fail_input("{}: DICOM transfer syntax {} (JPEG 2000) is not supported by DCMTK; convert it first, e.g. "
               "`gdcmconv --raw in.dcm out.dcm`", name, DcmXfer(syntax).getXferName());
  if (!dataset.tagExists(DCM_PixelData)) fail_input("{}: DICOM has no pixel data (not an image)", name);
  status = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
  if (status.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
    fail_input("{}: cannot decode DICOM transfer syntax {}: {}", name, DcmXfer(syntax).getXferName(), status.text());

  PixelLayout layout;
  layout.rows = get_int(dataset, DCM_Rows, 0);
  layout.columns = get_int(dataset, DCM_Columns, 0);
  layout.samples = get_int(dataset, DCM_SamplesPerPixel, 1);
  layout.bits_allocated = get_int(dataset, DCM_BitsAllocated, 0);
  layout.bits_stored = get_int(dataset, DCM_BitsStored, layout.bits_allocated);
  layout.high_bit = get_int(dataset, DCM_HighBit, layout.bits_stored - 1);
  layout.representation = get_int(dataset, DCM_PixelRepresentation, 0);
  layout.planar = get_int(dataset, DCM_PlanarConfiguration, 0);
  layout.frames = std::max(1L, get_int(dataset, DCM_NumberOfFrames, 1));
  layout.photometric = get_string(dataset, DCM_PhotometricInterpretation);
  if (layout.photometric.empty()) layout.photometric = layout.samples == 1 ? "MONOCHROME2" : "RGB";
  if (layout.rows <= 0 || layout.columns <= 0) fail_input("{}: DICOM image has no Rows/Columns", name);
  if (layout.bits_allocated != 8 && layout.bits_allocated != 16 && layout.bits_allocated != 32)
    fail_input("{}: unsupported DICOM BitsAllocated {}", name, layout.bits_allocated);
  if (layout.bits_stored < 1 || layout.bits_stored > layout.bits_allocated ||
      layout.high_bit + 1 < layout.bits_stored || layout.high_bit >= layout.bits_allocated)
    fail_input("{}: inconsistent DICOM BitsStored {} / HighBit {} / BitsAllocated {}", name, layout.bits_stored,
               layout.high_bit, layout.bits_allocated);

  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || !element)
    fail_input("{}: DICOM has no pixel data (not an image)", name);
  const uint8_t* data = nullptr;
  if (element->getVR() == EVR_OW) {
    Uint16* words = nullptr;
    element->getUint16Array(words);
    data = reinterpret_cast<const uint8_t*>(words);
  } else {
    Uint8* octets = nullptr;
    element->getUint8Array(octets);
    data = octets;
  }
  const size_t length = element->getLength();
  if (!data || length < layout.frame_bytes())
    fail_input("{}: DICOM pixel data truncated ({} bytes, first frame needs {})", name, length, layout.frame_bytes());

  if (layout.samples == 1 && (layout.photometric == "MONOCHROME1" || layout.photometric == "MONOCHROME2"))
    return gray_image(dataset, data, layout, name);
  if (layout.samples == 3 && (layout.photometric == "RGB" || layout.photometric == "YBR_FULL"))
    return colour_image(data, layout, name);
  fail_input("{}: unsupported DICOM photometric interpretation {} with {} samples per pixel", name,
             layout.photometric, layout.samples);
}

}  // namespace saerad
