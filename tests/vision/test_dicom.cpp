// DICOM decoding on files made here with DCMTK: the 8-bit arrays the documented rule gives
// (stored bits → rescale → VOI LUT / window → MONOCHROME1 inversion → min–max to 0..255), first frame only.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "vision/image.hpp"

namespace saerad {
namespace {

struct DicomSpec {
  int rows = 1, columns = 1, bits_allocated = 8, bits_stored = 8, representation = 0, frames = 1;
  std::string photometric = "MONOCHROME2";
  std::string slope, intercept, center, width;
  std::vector<uint16_t> samples;  // all frames, row-major (8-bit values when bits_allocated = 8)
  std::vector<uint16_t> voi_lut;  // with descriptor {size, 0, 16}
};

std::filesystem::path write_dicom(const std::filesystem::path& path, const DicomSpec& spec) {
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_DigitalXRayImageStorageForPresentation);
  ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.2.1143.1");
  ds->putAndInsertString(DCM_Modality, "DX");
  ds->putAndInsertUint16(DCM_Rows, Uint16(spec.rows));
  ds->putAndInsertUint16(DCM_Columns, Uint16(spec.columns));
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
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
  const OFCondition status = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
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

}  // namespace
}  // namespace saerad
