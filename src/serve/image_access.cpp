#include "serve/image_access.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "serve/http_error.hpp"

namespace saerad::serve {

namespace fs = std::filesystem;

std::optional<fs::path> resolve_inside_roots(const fs::path& path, const std::vector<fs::path>& roots) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(path, ec);
  if (ec) return std::nullopt;
  for (const fs::path& root : roots) {
    // Component-wise prefix: /data/images2 is not inside /data/images.
    auto [root_end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
    if (root_end == root.end()) return resolved;
  }
  return std::nullopt;
}

Image downscale(const Image& image, int max_side) {
  const int longer = std::max(image.width, image.height);
  if (longer <= max_side || longer == 0) return image;
  const double scale = double(max_side) / longer;
  const int w = std::max(1, int(std::lround(image.width * scale)));
  const int h = std::max(1, int(std::lround(image.height * scale)));
  const int c = image.channels;
  Image out(w, h, c);
  std::vector<double> sum(static_cast<size_t>(c));
  for (int y = 0; y < h; ++y) {
    const int y0 = int(int64_t(y) * image.height / h), y1 = std::max(y0 + 1, int(int64_t(y + 1) * image.height / h));
    for (int x = 0; x < w; ++x) {
      const int x0 = int(int64_t(x) * image.width / w), x1 = std::max(x0 + 1, int(int64_t(x + 1) * image.width / w));
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int yy = y0; yy < y1; ++yy) {
        const uint8_t* src = image.row(yy) + size_t(x0) * size_t(c);
        for (int xx = x0; xx < x1; ++xx)
          for (int k = 0; k < c; ++k) sum[size_t(k)] += *src++;
      }
      const double count = double(y1 - y0) * double(x1 - x0);
      uint8_t* dst = out.row(y) + size_t(x) * size_t(c);
      for (int k = 0; k < c; ++k) dst[k] = uint8_t(std::lround(sum[size_t(k)] / count));
    }
  }
  return out;
}

ThumbnailCache::ThumbnailCache(std::vector<fs::path> roots, size_t budget_bytes) : budget_(budget_bytes) {
  for (const auto& root : roots) {
    std::error_code ec;
    fs::path canonical = fs::canonical(root, ec);
    if (ec || !fs::is_directory(canonical)) fail_input("--image-root {}: not a directory", root);
    roots_.push_back(canonical);
  }
}

std::shared_ptr<const std::string> ThumbnailCache::png(const fs::path& file, int max_side) {
  const std::string key = file.string() + '\n' + std::to_string(max_side);
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.position);
      ++hits_;
      return it->second.png;
    }
    ++misses_;
  }
  auto resolved = resolve_inside_roots(file, roots_);
  if (!resolved) fail_http(403, "image is outside every --image-root");
  if (!fs::is_regular_file(*resolved)) fail_http(404, "image file is missing");
  std::vector<uint8_t> bytes = encode_png(downscale(read_image(*resolved), max_side));
  auto result = std::make_shared<const std::string>(bytes.begin(), bytes.end());
  std::lock_guard lock(mutex_);
  if (entries_.count(key)) return entries_[key].png;  // another request made it meanwhile
  lru_.push_front(key);
  entries_[key] = Entry{result, lru_.begin()};
  used_ += result->size();
  while (used_ > budget_ && lru_.size() > 1) {
    auto last = entries_.find(lru_.back());
    used_ -= last->second.png->size();
    entries_.erase(last);
    lru_.pop_back();
  }
  return result;
}

}  // namespace saerad::serve
