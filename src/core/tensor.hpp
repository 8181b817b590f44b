#pragma once
// Tensor views into mapped files, and a small owning float matrix.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.hpp"

namespace saerad {

class MappedFile;

std::string shape_string(const std::vector<int64_t>& shape);  // "[3, 768]"
int64_t shape_numel(const std::vector<int64_t>& shape);

// A typed, C-ordered view of bytes owned elsewhere (usually a MappedFile kept alive by `owner`).
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;
  size_t nbytes = 0;
  std::shared_ptr<const void> owner;

  int64_t numel() const { return shape_numel(shape); }
  int64_t dim(size_t i) const { return shape.at(i); }
  // Zero-copy float view; throws unless the dtype is F32 and the data 4-byte aligned.
  std::span<const float> f32() const;
  // Any float dtype converted to float32 (copies).
  std::vector<float> to_f32() const;
  void to_f32(float* out) const;
  template <class T>
  std::vector<T> copy_as() const;  // exact-dtype copy for I32/I64/U8 (throws on a mismatch)
};

// Row-major float32 matrix that owns its data.
struct MatrixF32 {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;

  MatrixF32() = default;
  MatrixF32(int64_t r, int64_t c, float fill = 0.0f) : rows(r), cols(c), data(size_t(r * c), fill) {}
  float* row(int64_t i) { return data.data() + i * cols; }
  const float* row(int64_t i) const { return data.data() + i * cols; }
  float& at(int64_t i, int64_t j) { return data[size_t(i * cols + j)]; }
  float at(int64_t i, int64_t j) const { return data[size_t(i * cols + j)]; }
};

}  // namespace saerad
