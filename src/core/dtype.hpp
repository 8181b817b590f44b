#pragma once
// Element types of the tensor files (safetensors, .npy) and the half-precision conversions.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace saerad {

enum class DType : uint8_t { F32, F16, BF16, F64, I32, I64, U8 };

size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);                       // safetensors spelling: "F32", "BF16", ...
std::optional<DType> dtype_from_name(std::string_view name);     // inverse of dtype_name
bool dtype_is_float(DType dtype);

inline float bf16_to_f32(uint16_t bits) { return std::bit_cast<float>(uint32_t(bits) << 16); }
// Round to nearest even, NaN stays NaN (as torch and numpy do).
inline uint16_t f32_to_bf16(float value) {
  uint32_t u = std::bit_cast<uint32_t>(value);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}
float f16_to_f32(uint16_t bits);
uint16_t f32_to_f16(float value);  // IEEE round to nearest even, overflow → inf

// Converts `count` elements of `dtype` at `src` (any alignment) to float32.
void convert_to_f32(DType dtype, const std::byte* src, size_t count, float* dst);

}  // namespace saerad
