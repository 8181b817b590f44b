#pragma once
// safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then the byte buffer.
// The reader maps the file and hands out zero-copy views after validating every header entry.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace saerad {

inline constexpr size_t kSafetensorsMaxHeader = 100u << 20;  // 100 MB, as the reference implementation

class SafetensorsFile {
 public:
  // Validates: header size limit and bounds, JSON syntax, dtypes, shapes, shape × dtype = byte range,
  // ranges in bounds, no overlaps, no holes (the buffer is fully indexed). Errors name the file and fault.
  static SafetensorsFile open(const std::filesystem::path& path);

  const std::vector<TensorView>& tensors() const { return tensors_; }  // in file order
  const TensorView* find(std::string_view name) const;
  const TensorView& get(std::string_view name) const;  // throws "file: no tensor 'name'"
  // get() plus a shape check: -1 in `expected` matches any size. Throws naming file, tensor, both shapes.
  const TensorView& get(std::string_view name, const std::vector<int64_t>& expected) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::string metadata_or(const std::string& key, std::string fallback = "") const;
  const std::filesystem::path& path() const { return path_; }
  size_t header_size() const { return header_size_; }
  size_t file_size() const;

 private:
  std::filesystem::path path_;
  std::shared_ptr<const MappedFile> file_;
  size_t header_size_ = 0;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Collects tensors (copied on add) and writes them atomically, data 8-byte aligned, in the order added.
class SafetensorsWriter {
 public:
  void add(std::string name, DType dtype, std::vector<int64_t> shape, const void* data, size_t nbytes);
  // No copy: `data` must stay valid until write() returns (for large tensors).
  void add_borrowed(std::string name, DType dtype, std::vector<int64_t> shape, const void* data, size_t nbytes);
  void add_f32(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  void add_i32(std::string name, std::vector<int64_t> shape, std::span<const int32_t> values);
  void add_i64(std::string name, std::vector<int64_t> shape, std::span<const int64_t> values);
  void set_metadata(const std::string& key, std::string value) { metadata_[key] = std::move(value); }
  void write(const std::filesystem::path& path) const;

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> owned;
    const std::byte* data;
    size_t nbytes;
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace saerad
