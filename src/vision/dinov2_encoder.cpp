// DINOv2 behind the ImageEncoder interface: preprocess in parallel, then one forward per same-size group.
#include "vision/dinov2_encoder.hpp"

#include <algorithm>
#include <map>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"

namespace saerad {

std::string dinov2_fingerprint(const std::filesystem::path& model_dir) {
  std::string material = read_text_file(model_dir / "config.json");
  material += read_text_file(model_dir / "preprocessor_config.json");
  std::vector<std::filesystem::path> weights;
  for (const auto& entry : std::filesystem::directory_iterator(model_dir))
    if (entry.path().extension() == ".safetensors") weights.push_back(entry.path());
  std::sort(weights.begin(), weights.end());
  for (const auto& file : weights) material += file.filename().string() + fingerprint_file(file);
  return "dinov2:" + fingerprint_text(material);
}

Dinov2Encoder::Dinov2Encoder(const std::filesystem::path& model_dir)
    : model_(Dinov2Model::load(model_dir)),
      processor_(read_image_processor_config(model_dir / "preprocessor_config.json")),
      fingerprint_(dinov2_fingerprint(model_dir)) {}

int64_t Dinov2Encoder::fixed_tokens() const {
  if (!processor_.do_center_crop) return 0;
  return model_.tokens(processor_.crop_height, processor_.crop_width);
}

void Dinov2Encoder::encode(std::span<const Image> images, float* out) { run(images, out, nullptr); }

void Dinov2Encoder::encode_with_tokens(std::span<const Image> images, float* pooler, float* last_hidden_state) {
  if (fixed_tokens() == 0) fail_input("--patch-tokens needs a preprocessor with a centre crop (one image size)");
  run(images, pooler, last_hidden_state);
}

void Dinov2Encoder::run(std::span<const Image> images, float* pooler, float* last_hidden_state) {
  std::vector<PixelValues> pixels(images.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < images.size(); ++i) pixels[i] = preprocess_image(images[i], processor_);
  // Same-size images share a forward pass (always all of them when the processor crops).
  std::map<std::pair<int, int>, std::vector<size_t>> groups;
  for (size_t i = 0; i < pixels.size(); ++i) groups[{pixels[i].height, pixels[i].width}].push_back(i);
  const int64_t d = dim();
  for (const auto& [size, members] : groups) {
    std::vector<PixelValues> batch;
    for (size_t i : members) batch.push_back(std::move(pixels[i]));
    const int64_t tokens = model_.tokens(size.first, size.second);
    std::vector<float> pooled(members.size() * size_t(d));
    std::vector<float> hidden(last_hidden_state ? members.size() * size_t(tokens * d) : 0);
    model_.forward(batch, pooled.data(), last_hidden_state ? hidden.data() : nullptr);
    for (size_t j = 0; j < members.size(); ++j) {
      std::copy_n(pooled.data() + j * size_t(d), d, pooler + members[j] * size_t(d));
      if (last_hidden_state)
        std::copy_n(hidden.data() + j * size_t(tokens * d), tokens * d, last_hidden_state + members[j] * size_t(tokens * d));
    }
  }
}

std::unique_ptr<ImageEncoder> make_dinov2_encoder(const std::filesystem::path& model_dir) {
  return std::make_unique<Dinov2Encoder>(model_dir);
}

}  // namespace saerad
