// .npy: round trips, header versions, and clear errors for what is not supported.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

TEST(Npy, RoundTripsFloat32AndFloat16) {
  TempDir dir;
  MatrixF32 m(3, 5);
  for (size_t i = 0; i < m.data.size(); ++i) m.data[i] = float(i) * 0.25f - 1.0f;
  write_npy(dir / "m.npy", m);
  TensorView t = read_npy(dir / "m.npy");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(t.to_f32(), m.data);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 64, 0u);  // data 64-byte aligned as NumPy writes it

  std::vector<uint16_t> half;
  for (float v : m.data) half.push_back(f32_to_f16(v));
  write_npy(dir / "h.npy", DType::F16, {15}, half.data());
  TensorView h = read_npy(dir / "h.npy");
  EXPECT_EQ(h.dtype, DType::F16);
  EXPECT_EQ(h.shape, (std::vector<int64_t>{15}));
  EXPECT_EQ(h.to_f32(), m.data);
}

void write_with_header(const fs::path& path, int major, const std::string& dict, size_t data_bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY", 6);
  out.put(char(major));
  out.put(0);
  if (major == 1) {
    uint16_t n = uint16_t(dict.size());
    out.write(reinterpret_cast<const char*>(&n), 2);
  } else {
    uint32_t n = uint32_t(dict.size());
    out.write(reinterpret_cast<const char*>(&n), 4);
  }
  out << dict << std::string(data_bytes, '\0');
}

TEST(Npy, ReadsVersion2Headers) {
  TempDir dir;
  write_with_header(dir / "v2.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n", 16);
  EXPECT_EQ(read_npy(dir / "v2.npy").shape, (std::vector<int64_t>{2, 2}));
}

std::string error_of(const fs::path& p) {
  try {
    read_npy(p);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Npy, UnsupportedInputsGiveClearErrors) {
  TempDir dir;
  write_with_header(dir / "f.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 16);
  EXPECT_NE(error_of(dir / "f.npy").find("Fortran"), std::string::npos);
  write_with_header(dir / "c.npy", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n", 16);
  EXPECT_NE(error_of(dir / "c.npy").find("unsupported dtype '<c8'"), std::string::npos);
  write_with_header(dir / "be.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
  EXPECT_NE(error_of(dir / "be.npy").find("big-endian"), std::string::npos);
  write_with_header(dir / "t.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }\n", 20);
  EXPECT_NE(error_of(dir / "t.npy").find("truncated"), std::string::npos);
  std::ofstream(dir / "x.npy") << "not numpy at all";
  EXPECT_NE(error_of(dir / "x.npy").find("wrong magic"), std::string::npos);
  write_with_header(dir / "long.npy", 1, "{'descr': '<f4'", 0);
  EXPECT_NE(error_of(dir / "long.npy").find("no 'fortran_order'"), std::string::npos);
}

TEST(Npy, ReadsTheSharedFixture) {
  SAERAD_REQUIRE_SHARED("fixtures/dinov2-tiny/expected_pooler_output.npy");
  TensorView t = read_npy(testing::shared_dir() / "fixtures/dinov2-tiny/expected_pooler_output.npy");
  EXPECT_EQ(t.dtype, DType::F32);
  EXPECT_EQ(t.shape.size(), 2u);
}

}  // namespace
}  // namespace saerad
