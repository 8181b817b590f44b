// safetensors: round trips of every dtype, and a corpus of broken files each rejected with its own error.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.hpp"
#include "core/safetensors.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

template <class T>
std::vector<T> ramp(size_t n) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = T(int(i * 7 % 23) - 11);
  return v;
}

TEST(Safetensors, RoundTripsEveryDtypeAndMetadata) {
  TempDir dir;
  auto f32 = ramp<float>(12);
  auto f64 = ramp<double>(5);
  auto i32 = ramp<int32_t>(6);
  auto i64 = ramp<int64_t>(3);
  std::vector<uint8_t> u8 = {0, 1, 255, 7, 9};
  std::vector<uint16_t> f16, bf16;
  for (float v : f32) {
    f16.push_back(f32_to_f16(v));
    bf16.push_back(f32_to_bf16(v));
  }
  SafetensorsWriter w;
  w.add_f32("a.f32", {3, 4}, f32);
  w.add("b.f16", DType::F16, {12}, f16.data(), f16.size() * 2);
  w.add("c.bf16", DType::BF16, {2, 6}, bf16.data(), bf16.size() * 2);
  w.add("d.f64", DType::F64, {5}, f64.data(), f64.size() * 8);
  w.add_i32("e.i32", {2, 3}, i32);
  w.add_i64("f.i64", {3}, i64);
  w.add("g.u8", DType::U8, {5}, u8.data(), u8.size());
  w.add("h.empty", DType::F32, {0, 4}, nullptr, 0);
  w.set_metadata("ids", "[\"x\",\"y\"]");
  w.set_metadata("note", "héllo");
  w.write(dir / "t.safetensors");

  auto st = SafetensorsFile::open(dir / "t.safetensors");
  EXPECT_EQ(st.tensors().size(), 8u);
  EXPECT_EQ(st.metadata().at("note"), "héllo");
  EXPECT_EQ(st.metadata().at("ids"), "[\"x\",\"y\"]");
  const auto& a = st.get("a.f32", {3, 4});
  EXPECT_EQ(std::vector<float>(a.f32().begin(), a.f32().end()), f32);
  EXPECT_EQ(st.get("b.f16").to_f32(), f32);   // small integers are exact in f16
  EXPECT_EQ(st.get("c.bf16").to_f32(), f32);  // and in bf16
  EXPECT_EQ(st.get("d.f64").copy_as<double>(), f64);
  EXPECT_EQ(st.get("e.i32").copy_as<int32_t>(), i32);
  EXPECT_EQ(st.get("f.i64").copy_as<int64_t>(), i64);
  EXPECT_EQ(st.get("g.u8").copy_as<uint8_t>(), u8);
  EXPECT_EQ(st.get("h.empty").numel(), 0);
  for (const auto& t : st.tensors())  // every tensor aligned to its element size in the mapped file
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % dtype_size(t.dtype), 0u) << t.name;
  EXPECT_THROW(st.get("a.f32", {4, 3}), InputError);
  EXPECT_THROW(st.get("missing"), InputError);
}

// Writes an 8-byte length + header + data buffer, with the length field optionally overridden.
void write_raw(const fs::path& path, const std::string& header, size_t data_bytes, std::optional<uint64_t> len = {}) {
  std::ofstream out(path, std::ios::binary);
  uint64_t n = len.value_or(header.size());
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header;
  out << std::string(data_bytes, '\0');
}

std::string error_of(const fs::path& path) {
  try {
    SafetensorsFile::open(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

struct BrokenCase {
  std::string name, header;
  size_t data_bytes;
  std::optional<uint64_t> length;
  std::string expected;  // substring of the error
};

TEST(Safetensors, BrokenFilesGiveTheirSpecificError) {
  const std::string ok_entry = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::vector<BrokenCase> cases = {
      {"truncated data", "{" + ok_entry + "}", 4, {}, "truncated"},
      {"header longer than file", "{" + ok_entry + "}", 8, 5000, "longer than the file"},
      {"header over limit", "{}", 0, uint64_t(1) << 40, "exceeds"},
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, {}, "overlaps"},
      {"shape-byte mismatch", R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8, {}, "needs 12 bytes"},
      {"bad json", R"({"t":{"dtype":"F32",)", 0, {}, "not valid JSON"},
      {"wrong magic", "PK\x03\x04garbage", 0, {}, "wrong magic"},
      {"unknown dtype", R"({"t":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8, {}, "unsupported dtype"},
      {"negative shape", R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8, {}, "negative"},
      {"reversed offsets", R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8, {}, "reversed"},
      {"hole", R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12, {}, "holes"},
      {"trailing bytes", "{" + ok_entry + "}", 16, {}, "trailing"},
      {"missing field", R"({"t":{"dtype":"F32","shape":[2]}})", 0, {}, "data_offsets"},
      {"metadata not strings", R"({"__metadata__":{"k":3}})", 0, {}, "not a string"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    fs::path p = dir / (c.name + ".safetensors");
    write_raw(p, c.header, c.data_bytes, c.length);
    std::string err = error_of(p);
    EXPECT_NE(err.find(c.expected), std::string::npos) << c.name << ": " << err;
    EXPECT_NE(err.find(p.string()), std::string::npos) << c.name << " error must name the file: " << err;
  }
  std::ofstream(dir / "tiny.safetensors") << "abc";
  EXPECT_NE(error_of(dir / "tiny.safetensors").find("shorter than"), std::string::npos);
  EXPECT_NE(error_of(dir / "absent.safetensors").find("cannot open"), std::string::npos);
}

TEST(Safetensors, EveryTruncationOfAValidFileIsRejectedCleanly) {
  TempDir dir;
  SafetensorsWriter w;
  std::vector<float> v(10, 1.5f);
  w.add_f32("x", {10}, v);
  w.set_metadata("k", "v");
  w.write(dir / "ok.safetensors");
  std::ifstream in(dir / "ok.safetensors", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    fs::path p = dir / "cut.safetensors";
    std::ofstream(p, std::ios::binary) << bytes.substr(0, cut);
    EXPECT_THROW(SafetensorsFile::open(p), InputError) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace saerad
