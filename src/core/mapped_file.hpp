#pragma once
// A read-only memory map of a whole file (zero-copy access for safetensors, .npy and model weights).
#include <cstddef>
#include <filesystem>
#include <memory>

namespace saerad {

class MappedFile {
 public:
  // Throws Error naming the path when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile() = default;
  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace saerad
