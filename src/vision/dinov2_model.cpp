// The DINOv2 forward pass over a batch of same-size images (see dinov2_model.hpp).
#include "vision/dinov2_model.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "nn/transformer_kernels.hpp"

namespace saerad {

Dinov2Model::Dinov2Model(Dinov2Config config, Dinov2Weights weights)
    : config_(config), weights_(std::move(weights)) {}

int64_t Dinov2Model::tokens(int height, int width) const {
  return 1 + (height / config_.patch_size) * (width / config_.patch_size);
}

const std::vector<float>& Dinov2Model::position_table(int64_t grid_h, int64_t grid_w) {
  const int64_t g = config_.grid(), d = config_.hidden_size;
  if (grid_h == g && grid_w == g) return weights_.position_table;
  std::lock_guard lock(*position_mutex_);
  auto key = std::pair{grid_h, grid_w};
  auto it = position_cache_.find(key);
  if (it != position_cache_.end()) return it->second;
  // CLS row kept; the g × g patch rows resized to grid_h × grid_w (transformers ≥ 4.45 interpolate_pos_encoding).
  std::vector<float> table(size_t((1 + grid_h * grid_w) * d));
  std::copy_n(weights_.position_table.begin(), d, table.begin());
  nn::bicubic_resize_grid(weights_.position_table.data() + d, g, g, table.data() + d, grid_h, grid_w, d);
  return position_cache_.emplace(key, std::move(table)).first->second;
}

void Dinov2Model::forward(std::span<const PixelValues> images, float* pooler, float* last_hidden_state) {
  if (images.empty()) return;
  const int height = images[0].height, width = images[0].width;
  for (const auto& image : images)
    if (image.height != height || image.width != width || image.data.size() != size_t(3 * height * width))
      fail("Dinov2Model::forward: images of one batch must share one size");
  const int64_t p = config_.patch_size, c = config_.num_channels, d = config_.hidden_size,
                inner = config_.intermediate_size, heads = config_.num_heads;
  const int64_t grid_h = height / p, grid_w = width / p;
  if (grid_h < 1 || grid_w < 1) fail("Dinov2Model::forward: image {}x{} is smaller than one patch", width, height);
  const int64_t batch = int64_t(images.size()), patches = grid_h * grid_w, tokens = 1 + patches, rows = batch * tokens;
  const int64_t patch_len = c * p * p;

  // Patch embedding = stride-p convolution = GEMM over unfolded patches.
  // unfolded: [B·P, C·p·p] (c, ky, kx order, as the conv kernel is stored) → embedded: [B·P, d]
  std::vector<float> unfolded(size_t(batch * patches * patch_len));
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t patch = 0; patch < patches; ++patch) {
      const int64_t py = patch / grid_w, px = patch % grid_w;
      float* dst = unfolded.data() + (b * patches + patch) * patch_len;
      const float* image = images[size_t(b)].data.data();
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t ky = 0; ky < p; ++ky)
          std::memcpy(dst + (ch * p + ky) * p, image + (ch * height + py * p + ky) * width + px * p,
                      size_t(p) * sizeof(float));
    }
  std::vector<float> embedded(size_t(batch * patches * d));
  nn::linear(unfolded.data(), weights_.patch_weight.data(), weights_.patch_bias.data(), embedded.data(),
              batch * patches, d, patch_len);
  unfolded = {};

  // hidden: [B, T, d] = [CLS; patches] + position table
  const std::vector<float>& positions = position_table(grid_h, grid_w);
  std::vector<float> hidden(size_t(rows * d));
  for (int64_t b = 0; b < batch; ++b) {
    float* x = hidden.data() + b * tokens * d;
    for (int64_t i = 0; i < d; ++i) x[i] = weights_.cls_token[size_t(i)] + positions[size_t(i)];
    const float* e = embedded.data() + b * patches * d;
    for (int64_t i = 0; i < patches * d; ++i) x[d + i] = e[i] + positions[size_t(d + i)];
  }
  embedded = {};

  std::vector<float> normed(size_t(rows * d)), qkv(size_t(rows * 3 * d)), context(size_t(rows * d)),
      projected(size_t(rows * d)), mlp(size_t(rows * inner));
  for (const auto& layer : weights_.layers) {
    // h = h + λ1 ⊙ proj(attention(LN1(h)))
    nn::layer_norm(hidden.data(), normed.data(), layer.norm1_weight.data(), layer.norm1_bias.data(), rows, d,
                    config_.layer_norm_eps);
    nn::linear(normed.data(), layer.qkv_weight.data(), layer.qkv_bias.data(), qkv.data(), rows, 3 * d, d);
    nn::attention(qkv.data(), context.data(), batch, tokens, heads, config_.head_dim());
    nn::linear(context.data(), layer.proj_weight.data(), layer.proj_bias.data(), projected.data(), rows, d, d);
    nn::add_scaled_rows(hidden.data(), projected.data(), layer.layer_scale1.data(), rows, d);
    // h = h + λ2 ⊙ fc2(GELU(fc1(LN2(h))))
    nn::layer_norm(hidden.data(), normed.data(), layer.norm2_weight.data(), layer.norm2_bias.data(), rows, d,
                    config_.layer_norm_eps);
    nn::linear(normed.data(), layer.fc1_weight.data(), layer.fc1_bias.data(), mlp.data(), rows, inner, d);
    nn::gelu_erf(mlp.data(), rows * inner);
    nn::linear(mlp.data(), layer.fc2_weight.data(), layer.fc2_bias.data(), projected.data(), rows, d, inner);
    nn::add_scaled_rows(hidden.data(), projected.data(), layer.layer_scale2.data(), rows, d);
  }

  // Final LayerNorm: every token when the caller wants them, else only the CLS rows the pooler needs.
  if (last_hidden_state) {
    nn::layer_norm(hidden.data(), last_hidden_state, weights_.final_norm_weight.data(),
                    weights_.final_norm_bias.data(), rows, d, config_.layer_norm_eps);
    for (int64_t b = 0; b < batch; ++b)
      std::copy_n(last_hidden_state + b * tokens * d, d, pooler + b * d);
  } else {
    for (int64_t b = 0; b < batch; ++b)
      nn::layer_norm(hidden.data() + b * tokens * d, pooler + b * d, weights_.final_norm_weight.data(),
                      weights_.final_norm_bias.data(), 1, d, config_.layer_norm_eps);
  }
}

}  // namespace saerad
