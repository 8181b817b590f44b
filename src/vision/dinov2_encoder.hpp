#pragma once
// The DINOv2 ImageEncoder: HF preprocessing + Dinov2Model, plus the patch tokens `embed --patch-tokens` needs.
#include <memory>

#include "vision/dinov2_model.hpp"
#include "vision/encoder.hpp"
#include "vision/hf_preprocess.hpp"

namespace saerad {

class Dinov2Encoder : public ImageEncoder {
 public:
  explicit Dinov2Encoder(const std::filesystem::path& model_dir);

  std::string fingerprint() const override { return fingerprint_; }
  int64_t dim() const override { return model_.config().hidden_size; }
  Json preprocess_settings() const override { return processor_.to_json(); }
  void encode(std::span<const Image> images, float* out) override;

  // Tokens per image (1 + patches) when every preprocessed image has one size (a centre crop), else 0.
  int64_t fixed_tokens() const;
  // images → pooler: [n, d] and last_hidden_state: [n, fixed_tokens(), d].
  void encode_with_tokens(std::span<const Image> images, float* pooler, float* last_hidden_state);

  const ImageProcessorConfig& processor() const { return processor_; }
  Dinov2Model& model() { return model_; }

 private:
  void run(std::span<const Image> images, float* pooler, float* last_hidden_state);
  Dinov2Model model_;
  ImageProcessorConfig processor_;
  std::string fingerprint_;
};

// "dinov2:sha256:<16 hex>" over config.json, preprocessor_config.json and the weight files' fingerprints.
std::string dinov2_fingerprint(const std::filesystem::path& model_dir);

}  // namespace saerad
