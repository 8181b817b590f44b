#pragma once
// DINOv2 (HF `Dinov2Model`) from a transformers checkpoint directory — config.json, model.safetensors or a
// sharded model.safetensors.index.json — with F32/F16/BF16 weights computed in float32.
// Forward as HF computes it: patch conv + CLS + (interpolated) position table; pre-LN blocks with
// LayerScale, exact-erf GELU, float32 softmax; final LayerNorm. pooler_output = post-LN CLS token.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "vision/hf_preprocess.hpp"

namespace saerad {

struct Dinov2Config {
  int64_t hidden_size = 768, num_layers = 12, num_heads = 12, intermediate_size = 3072, patch_size = 14,
          image_size = 518, num_channels = 3;
  float layer_norm_eps = 1e-6f;
  bool qkv_bias = true;
  int64_t head_dim() const { return hidden_size / num_heads; }
  int64_t grid() const { return image_size / patch_size; }  // native position grid side
};

// Reads config.json; unsupported variants (SwiGLU, register tokens, other activations) give clear errors.
Dinov2Config read_dinov2_config(const std::filesystem::path& path);

struct Dinov2Weights {
  struct Layer {
    std::vector<float> norm1_weight, norm1_bias;  // [d]
    std::vector<float> qkv_weight, qkv_bias;      // [3d, d], [3d]: query | key | value stacked
    std::vector<float> proj_weight, proj_bias;    // [d, d], [d]
    std::vector<float> layer_scale1;              // [d]
    std::vector<float> norm2_weight, norm2_bias;  // [d]
    std::vector<float> fc1_weight, fc1_bias;      // [I, d], [I]
    std::vector<float> fc2_weight, fc2_bias;      // [d, I], [d]
    std::vector<float> layer_scale2;              // [d]
  };
  std::vector<float> patch_weight, patch_bias;  // [d, C·p·p] (conv kernel flattened c, ky, kx), [d]
  std::vector<float> cls_token;                 // [d]
  std::vector<float> position_table;            // [1 + g·g, d]
  std::vector<Layer> layers;
  std::vector<float> final_norm_weight, final_norm_bias;  // [d]
};

class Dinov2Model {
 public:
  // Loads config + weights from `dir`, checking every used tensor's shape against the config.
  static Dinov2Model load(const std::filesystem::path& dir);
  Dinov2Model(Dinov2Config config, Dinov2Weights weights);

  const Dinov2Config& config() const { return config_; }
  int64_t tokens(int height, int width) const;  // 1 + (H/p)·(W/p)

  // images: B pixel_values of one size [3, H, W] → pooler: [B, d] (post-LN CLS) and, when non-null,
  // last_hidden_state: [B, T, d].
  void forward(std::span<const PixelValues> images, float* pooler, float* last_hidden_state = nullptr);

  // The position table for a (gh × gw) patch grid: [1 + gh·gw, d] (the native table, or its torch-bicubic
  // interpolation; cached per size).
  const std::vector<float>& position_table(int64_t grid_h, int64_t grid_w);

 private:
  Dinov2Config config_;
  Dinov2Weights weights_;
  std::map<std::pair<int64_t, int64_t>, std::vector<float>> position_cache_;  // entries never move or change
  std::unique_ptr<std::mutex> position_mutex_ = std::make_unique<std::mutex>();  // forward() may run concurrently
};

}  // namespace saerad
