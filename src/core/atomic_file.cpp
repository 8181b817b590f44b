#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace saerad {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  fs::path parent = target_.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) fail_input("{}: cannot create directory: {}", parent.string(), ec.message());
  }
  temp_ = target_;
  temp_ += fmt::format(".tmp.{}.{}", ::getpid(), counter++);
  file_ = std::fopen(temp_.c_str(), "wb");
  if (!file_) fail_input("{}: cannot write: {}", temp_.string(), std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::write(const void* data, size_t size) {
  if (!file_) fail("{}: write after commit", target_.string());
  if (size && std::fwrite(data, 1, size, file_) != size)
    fail("{}: write failed: {}", temp_.string(), std::strerror(errno));
}

void AtomicFile::commit() {
  if (!file_) fail("{}: committed twice", target_.string());
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0)
    fail("{}: flush failed: {}", temp_.string(), std::strerror(errno));
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    fail("{}: cannot rename into place: {}", target_.string(), std::strerror(errno));
  committed_ = true;
  fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_input("{}: cannot open: {}", path.string(), std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) fail_input("{}: read failed", path.string());
  return std::move(out).str();
}

}  // namespace saerad
