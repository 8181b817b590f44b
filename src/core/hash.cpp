#include "core/hash.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/mapped_file.hpp"

namespace saerad {

namespace {
std::string digest_hex(const void* data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr) != 1) fail("SHA-256 failed");
  std::string hex;
  for (unsigned i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}
}  // namespace

std::string sha256_hex(std::string_view data) { return digest_hex(data.data(), data.size()); }

std::string fingerprint_file(const std::filesystem::path& path) {
  auto file = MappedFile::open(path);
  return "sha256:" + digest_hex(file->data(), file->size()).substr(0, 16);
}

std::string fingerprint_text(std::string_view text) { return "sha256:" + sha256_hex(text).substr(0, 16); }

uint64_t fnv1a64(std::string_view data, uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace saerad
