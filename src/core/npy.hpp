#pragma once
// NumPy .npy files (format versions 1.0–3.0), little-endian float32/float16 (and float64/int32/int64/uint8
// for reading), C order. Fortran order, big-endian or other dtypes give an error naming the file.
#include <filesystem>

#include "core/tensor.hpp"

namespace saerad {

// Maps the file; the view's name is the file name.
TensorView read_npy(const std::filesystem::path& path);

// Writes atomically with a v1.0 header (v2.0 when the header would exceed 65535 bytes), padded so the
// data starts 64-byte aligned as NumPy does.
void write_npy(const std::filesystem::path& path, DType dtype, const std::vector<int64_t>& shape, const void* data);
inline void write_npy(const std::filesystem::path& path, const MatrixF32& m) {
  write_npy(path, DType::F32, {m.rows, m.cols}, m.data.data());
}

}  // namespace saerad
