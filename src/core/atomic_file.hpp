#pragma once
// Outputs are written to a temporary file beside the target, fsynced, then renamed over it: a killed
// writer leaves the old file (or none), never a half-written one.
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace saerad {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);  // creates the temp file (and missing parent dirs)
  ~AtomicFile();                                      // removes the temp file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  void commit();  // flush + fsync + rename + fsync of the directory
  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

void write_file_atomic(const std::filesystem::path& path, std::string_view content);
std::string read_text_file(const std::filesystem::path& path);  // error names the path

}  // namespace saerad
