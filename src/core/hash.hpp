#pragma once
// Fingerprints for provenance and caches.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace saerad {

std::string sha256_hex(std::string_view data);
// "sha256:<first 16 hex digits>" of the file's bytes (mapped, so large files stream through the page cache).
std::string fingerprint_file(const std::filesystem::path& path);
std::string fingerprint_text(std::string_view text);  // same form, of a string
uint64_t fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace saerad
