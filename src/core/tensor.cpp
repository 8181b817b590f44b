#include "core/tensor.hpp"

#include <cstring>

#include "core/error.hpp"

namespace saerad {

std::string shape_string(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

int64_t shape_numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::span<const float> TensorView::f32() const {
  if (dtype != DType::F32) fail("tensor '{}' is {}, expected F32", name, dtype_name(dtype));
  if (reinterpret_cast<uintptr_t>(data) % alignof(float) != 0)
    fail("tensor '{}' is not 4-byte aligned in its file", name);
  return {reinterpret_cast<const float*>(data), size_t(numel())};
}

std::vector<float> TensorView::to_f32() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  to_f32(out.data());
  return out;
}

void TensorView::to_f32(float* out) const {
  if (!dtype_is_float(dtype)) fail("tensor '{}' is {}, expected a float dtype", name, dtype_name(dtype));
  convert_to_f32(dtype, data, size_t(numel()), out);
}

template <class T>
std::vector<T> TensorView::copy_as() const {
  constexpr DType expected = std::is_same_v<T, int32_t>   ? DType::I32
                             : std::is_same_v<T, int64_t> ? DType::I64
                             : std::is_same_v<T, uint8_t> ? DType::U8
                             : std::is_same_v<T, float>   ? DType::F32
                                                          : DType::F64;
  if (dtype != expected) fail("tensor '{}' is {}, expected {}", name, dtype_name(dtype), dtype_name(expected));
  std::vector<T> out(static_cast<size_t>(numel()));
  if (!out.empty()) std::memcpy(out.data(), data, out.size() * sizeof(T));
  return out;
}
template std::vector<int32_t> TensorView::copy_as<int32_t>() const;
template std::vector<int64_t> TensorView::copy_as<int64_t>() const;
template std::vector<uint8_t> TensorView::copy_as<uint8_t>() const;
template std::vector<float> TensorView::copy_as<float>() const;
template std::vector<double> TensorView::copy_as<double>() const;

}  // namespace saerad
