// DICOM decoding on files made here with DCMTK (uncompressed, and compressed with DCMTK's encoders): the 8-bit arrays the documented rule gives
// (stored bits → rescale → VOI LUT / window → MONOCHROME1 inversion → min–max to 0..255), first frame only.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "vision/image.hpp"

namespace saerad {
namespace {

struct DicomSpec {
  int rows = 1, columns = 1, bits_allocated = 8, bits_stored = 8, representation = 0, frames = 1;
  int samples_per_pixel = 1, planar = 0;  // colour: 3 samples, interleaved (0) or one plane per colour (1)
  std::string photometric = "MONOCHROME2";
  std::string slope, intercept, center, width;
  std::vector<uint16_t> samples;  // all frames, row-major (8-bit values when bits_allocated = 8)
  std::vector<uint16_t> voi_lut;  // with descriptor {size, 0, 16}
};

std::filesystem::path write_dicom(const std::filesystem::path& path, const DicomSpec& spec,
                                  E_TransferSyntax syntax = EXS_LittleEndianExplicit) {
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_DigitalXRayImageStorageForPresentation);
  ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.2.1143.1");
  ds->putAndInsertString(DCM_Modality, "DX");
  ds->putAndInsertUint16(DCM_Rows, Uint16(spec.rows));
  ds->putAndInsertUint16(DCM_Columns, Uint16(spec.columns));
  ds->putAndInsertUint16(DCM_SamplesPerPixel, Uint16(spec.samples_per_pixel));
  if (spec.samples_per_pixel == 3) ds->putAndInsertUint16(DCM_PlanarConfiguration, Uint16(spec.planar));
  ds->putAndInsertString(DCM_PhotometricInterpretation, spec.photometric.c_str());
  ds->putAndInsertUint16(DCM_BitsAllocated, Uint16(spec.bits_allocated));
  ds->putAndInsertUint16(DCM_BitsStored, Uint16(spec.bits_stored));
  ds->putAndInsertUint16(DCM_HighBit, Uint16(spec.bits_stored - 1));
  ds->putAndInsertUint16(DCM_PixelRepresentation, Uint16(spec.representation));
  if (spec.frames > 1) ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(spec.frames).c_str());
  if (!spec.slope.empty()) ds->putAndInsertString(DCM_RescaleSlope, spec.slope.c_str());
  if (!spec.intercept.empty()) ds->putAndInsertString(DCM_RescaleIntercept, spec.intercept.c_str());
  if (!spec.center.empty()) ds->putAndInsertString(DCM_WindowCenter, spec.center.c_str());
  if (!spec.width.empty()) ds->putAndInsertString(DCM_WindowWidth, spec.width.c_str());
  if (!spec.voi_lut.empty()) {
    DcmItem* item = nullptr;
    ds->findOrCreateSequenceItem(DCM_VOILUTSequence, item, -2);
    const Uint16 descriptor[3] = {Uint16(spec.voi_lut.size()), 0, 16};
    item->putAndInsertUint16Array(DCM_LUTDescriptor, descriptor, 3);
    item->putAndInsertUint16Array(DCM_LUTData, spec.voi_lut.data(), static_cast<unsigned long>(spec.voi_lut.size()));
  }
  if (spec.bits_allocated == 8) {
    std::vector<Uint8> bytes(spec.samples.begin(), spec.samples.end());
    ds->putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(bytes.size()));
  } else {
    ds->putAndInsertUint16Array(DCM_PixelData, spec.samples.data(), static_cast<unsigned long>(spec.samples.size()));
  }
  if (syntax != EXS_LittleEndianExplicit) {  // compress with DCMTK's own encoder
    const OFCondition compressed = ds->chooseRepresentation(syntax, nullptr);
    EXPECT_TRUE(compressed.good() && ds->canWriteXfer(syntax)) << compressed.text();
  }
  const OFCondition status = file.saveFile(path.c_str(), syntax);
  EXPECT_TRUE(status.good()) << status.text();
  return path;
}

std::vector<uint8_t> decoded(const std::filesystem::path& path) {
  const Image image = read_image(path);
  EXPECT_EQ(image.channels, 1);
  return image.pixels;
}

class Dicom : public ::testing::Test {
 protected:
  testing::TempDir dir;
};

TEST_F(Dicom, Monochrome2EightBitIsStretched) {
  DicomSpec spec{.rows = 2, .columns = 2, .samples = {0, 50, 100, 200}};
  // (v − 0)/200 · 255: 0, 63.75, 127.5, 255 → rounded half away from zero
  EXPECT_EQ(decoded(write_dicom(dir / "m2.dcm", spec)), (std::vector<uint8_t>{0, 64, 128, 255}));
}

TEST_F(Dicom, Monochrome1IsInverted) {
  DicomSpec spec{.rows = 2, .columns = 2, .photometric = "MONOCHROME1", .samples = {0, 50, 100, 200}};
  // −v stretched: (200 − v)/200 · 255 = 255, 191.25, 127.5, 0
  EXPECT_EQ(decoded(write_dicom(dir / "m1.dcm", spec)), (std::vector<uint8_t>{255, 191, 128, 0}));
}

TEST_F(Dicom, SixteenBitRescaleAndWindowWithJunkHighBits) {
  // 12 bits stored; the top 4 bits hold junk (overlay-style) and must be masked off.
  DicomSpec spec{.rows = 1, .columns = 5, .bits_allocated = 16, .bits_stored = 12, .slope = "2",
                 .intercept = "-1000", .center = "0", .width = "1001",
                 .samples = {0xF000 | 0, 0xA000 | 400, 500, 600, 4095}};
  // HU = 2v − 1000: −1000, −200, 0, 200, 7190. Linear window c=0, w=1001: (x + 0.5)/1000 + 0.5 inside
  // (−500.5, 499.5]: 0, 0.3005, 0.5005, 0.7005, 1 → ×255: 0, 76.63, 127.63, 178.63, 255.
  EXPECT_EQ(decoded(write_dicom(dir / "ct.dcm", spec)), (std::vector<uint8_t>{0, 77, 128, 179, 255}));
}

TEST_F(Dicom, SignedPixelsAreSignExtended) {
  DicomSpec spec{.rows = 1, .columns = 3, .bits_allocated = 16, .bits_stored = 16, .representation = 1,
                 .samples = {uint16_t(int16_t(-100)), 0, 100}};
  EXPECT_EQ(decoded(write_dicom(dir / "signed.dcm", spec)), (std::vector<uint8_t>{0, 128, 255}));
}

TEST_F(Dicom, MultiFrameUsesTheFirstFrame) {
  DicomSpec spec{.rows = 1, .columns = 3, .frames = 2, .samples = {10, 20, 30, 200, 0, 0}};
  // frame 1: 10, 20, 30 → 0, 127.5, 255 (frame 2 would give 255, 0, 0)
  EXPECT_EQ(decoded(write_dicom(dir / "multi.dcm", spec)), (std::vector<uint8_t>{0, 128, 255}));
}

TEST_F(Dicom, VoiLutSequenceIsApplied) {
  DicomSpec spec{.rows = 1, .columns = 5, .bits_allocated = 16, .bits_stored = 16, .samples = {0, 1, 2, 3, 9},
                 .voi_lut = {0, 10, 20, 60}};
  // LUT[clamp(x)] = 0, 10, 20, 60, 60 (9 clamps to the last entry) → ×255/60
  EXPECT_EQ(decoded(write_dicom(dir / "voi.dcm", spec)), (std::vector<uint8_t>{0, 43, 85, 255, 255}));
}

TEST_F(Dicom, CorruptTruncatedAndPixelFreeFilesAreClearErrors) {
  DicomSpec spec{.rows = 16, .columns = 16, .bits_allocated = 16, .bits_stored = 16,
                 .samples = std::vector<uint16_t>(256, 7)};
  const auto good = write_dicom(dir / "good.dcm", spec);
  std::ifstream in(good, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir / "cut.dcm", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() - 200));
  try {
    read_image(dir / "cut.dcm");
    FAIL() << "a truncated DICOM decoded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cut.dcm"), std::string::npos) << e.what();
  }

  DcmFileFormat no_pixels;
  no_pixels.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_BasicTextSRStorage);
  no_pixels.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.3");
  ASSERT_TRUE(no_pixels.saveFile((dir / "sr.dcm").c_str(), EXS_LittleEndianExplicit).good());
  try {
    read_image(dir / "sr.dcm");
    FAIL() << "a DICOM without pixels decoded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sr.dcm: DICOM has no pixel data"), std::string::npos) << e.what();
  }
}

TEST_F(Dicom, ColourInterleavedPlanarAndYbrFull) {
  // Two pixels: red and a grey (10, 20, 30 in RGB).
  DicomSpec rgb{.columns = 2, .samples_per_pixel = 3, .photometric = "RGB", .samples = {255, 0, 0, 10, 20, 30}};
  Image image = read_image(write_dicom(dir / "rgb.dcm", rgb));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{255, 0, 0, 10, 20, 30}));
  DicomSpec planar = rgb;
  planar.planar = 1;
  planar.samples = {255, 10, 0, 20, 0, 30};  // R plane, G plane, B plane
  EXPECT_EQ(read_image(write_dicom(dir / "planar.dcm", planar)).pixels, (std::vector<uint8_t>{255, 0, 0, 10, 20, 30}));
  // YBR_FULL (full-range BT.601): Y 76, Cb 85, Cr 255 is pure red to within rounding; Y=Cb=Cr neutral grey.
  DicomSpec ybr{.columns = 2, .samples_per_pixel = 3, .photometric = "YBR_FULL", .samples = {76, 85, 255, 128, 128, 128}};
  const Image converted = read_image(write_dicom(dir / "ybr.dcm", ybr));
  ASSERT_EQ(converted.pixels.size(), 6u);
  EXPECT_NEAR(converted.pixels[0], 255, 1);
  EXPECT_NEAR(converted.pixels[1], 0, 1);
  EXPECT_NEAR(converted.pixels[2], 0, 1);
  EXPECT_EQ((std::vector<uint8_t>(converted.pixels.begin() + 3, converted.pixels.end())),
            (std::vector<uint8_t>{128, 128, 128}));
}

// Compressed transfer syntaxes decode through DCMTK's codecs to the same pixels as the uncompressed file.
TEST_F(Dicom, LosslessJpegAndRleDecodeLikeUncompressed) {
  DicomSpec spec{.rows = 8, .columns = 8, .bits_allocated = 16, .bits_stored = 12};
  for (int i = 0; i < 64; ++i) spec.samples.push_back(uint16_t((i * 61) % 4096));
  const std::vector<uint8_t> plain = decoded(write_dicom(dir / "plain.dcm", spec));
  DJEncoderRegistration::registerCodecs();
  DcmRLEEncoderRegistration::registerCodecs();
  EXPECT_EQ(decoded(write_dicom(dir / "jpeg-lossless.dcm", spec, EXS_JPEGProcess14SV1)), plain);
  EXPECT_EQ(decoded(write_dicom(dir / "rle.dcm", spec, EXS_RLELossless)), plain);
  DJEncoderRegistration::cleanup();
  DcmRLEEncoderRegistration::cleanup();
}

// JPEG 2000 has no decoder in Debian's DCMTK: refused with the file, the syntax and a way out.
TEST_F(Dicom, Jpeg2000IsAClearError) {
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_DigitalXRayImageStorageForPresentation);
  ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.2.1143.2");
  ds->putAndInsertUint16(DCM_Rows, 4);
  ds->putAndInsertUint16(DCM_Columns, 4);
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, 8);
  ds->putAndInsertUint16(DCM_BitsStored, 8);
  ds->putAndInsertUint16(DCM_HighBit, 7);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  // Encapsulated pixel data: an empty offset table and one fragment (a JPEG 2000 codestream would go there).
  auto* pixels = new DcmPixelData(DCM_PixelData);
  auto* sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
  sequence->insert(new DcmPixelItem(DCM_PixelItemTag));
  const Uint8 fragment[8] = {0xFF, 0x4F, 0xFF, 0x51, 0, 0, 0, 0};
  auto* item = new DcmPixelItem(DCM_PixelItemTag);
  item->putUint8Array(fragment, 8);
  sequence->insert(item);
  pixels->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
  ds->insert(pixels);
  ASSERT_TRUE(file.saveFile((dir / "j2k.dcm").c_str(), EXS_JPEG2000LosslessOnly).good());
  try {
    read_image(dir / "j2k.dcm");
    FAIL() << "a JPEG 2000 DICOM decoded";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("j2k.dcm"), std::string::npos) << what;
    EXPECT_NE(what.find("JPEG 2000"), std::string::npos) << what;
    EXPECT_NE(what.find("gdcmconv"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace saerad
