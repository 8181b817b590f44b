#pragma once
// An image encoder: images in, one embedding per image out. DINOv2/Rad-DINO (vision/dinov2*) and the
// weight-free builtin encoder (vision/builtin_encoder*) implement it; `embed`, `report --image`, `serve`
// and `demo` use it without knowing which.
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/json_io.hpp"
#include "vision/image.hpp"

namespace saerad {

class ImageEncoder {
 public:
  virtual ~ImageEncoder() = default;
  virtual std::string fingerprint() const = 0;  // the `model` metadata of embeddings ("builtin-v1", …)
  virtual int64_t dim() const = 0;
  virtual Json preprocess_settings() const = 0;  // the `preprocess` metadata
  // images: n decoded images → out: [n, dim()] float32, row-major.
  virtual void encode(std::span<const Image> images, float* out) = 0;
};

// `model_dir` non-empty → the DINOv2 model in that HF directory; otherwise `builtin` must be true.
std::unique_ptr<ImageEncoder> make_builtin_encoder();
std::unique_ptr<ImageEncoder> make_dinov2_encoder(const std::filesystem::path& model_dir);

}  // namespace saerad
