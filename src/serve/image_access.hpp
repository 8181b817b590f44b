#pragma once
// Study images for the pages: only files inside the --image-root directories are ever read (the path comes
// from studies.csv, never from the URL, and is checked again after resolving symlinks), shrunk on demand
// to thumbnails and kept in a bounded in-memory cache.
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vision/image.hpp"

namespace saerad::serve {

// `path` resolved (symlinks, "..") if it lies inside one of `roots` (already canonical); nullopt otherwise.
std::optional<std::filesystem::path> resolve_inside_roots(const std::filesystem::path& path,
                                                          const std::vector<std::filesystem::path>& roots);

// Area-averaging downscale so the longer side is at most `max_side` (images already small are copied).
// image: [h, w, c] → [h', w', c] with h'/h = w'/w.
Image downscale(const Image& image, int max_side);

class ThumbnailCache {
 public:
  ThumbnailCache(std::vector<std::filesystem::path> roots, size_t budget_bytes = 64u << 20);

  // PNG bytes of `file` shrunk to `max_side`, from the cache when present. Throws HttpError 403 when the
  // file is outside every root, 404 when it is missing, InputError when it cannot be decoded.
  std::shared_ptr<const std::string> png(const std::filesystem::path& file, int max_side);
  const std::vector<std::filesystem::path>& roots() const { return roots_; }
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  std::vector<std::filesystem::path> roots_;
  size_t budget_, used_ = 0, hits_ = 0, misses_ = 0;
  std::mutex mutex_;
  std::list<std::string> lru_;  // most recent first
  struct Entry {
    std::shared_ptr<const std::string> png;
    std::list<std::string>::iterator position;
  };
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace saerad::serve
