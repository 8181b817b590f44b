// Loading a transformers DINOv2 checkpoint: config.json and the (possibly sharded) safetensors weights.
#include <cmath>

#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/safetensors.hpp"
#include "vision/dinov2_model.hpp"

namespace saerad {
namespace {

int64_t config_int(const Json& config, const char* key, int64_t fallback, const std::filesystem::path& path) {
  if (!config.contains(key)) return fallback;
  const Json& v = config[key];
  if (!v.is_number_integer() || v.get<int64_t>() <= 0) fail_input("{}: '{}' must be a positive integer", path, key);
  return v.get<int64_t>();
}

// Every tensor of a checkpoint by name, across shards; names may carry a "dinov2." prefix (checkpoints saved
// from a task model), which is stripped.
class CheckpointTensors {
 public:
  explicit CheckpointTensors(const std::filesystem::path& dir) {
    const auto single = dir / "model.safetensors", index = dir / "model.safetensors.index.json";
    if (std::filesystem::exists(single)) {
      files_.push_back(SafetensorsFile::open(single));
    } else if (std::filesystem::exists(index)) {
      const Json map = read_json_file(index);
      if (!map.contains("weight_map") || !map["weight_map"].is_object())
        fail_input("{}: no 'weight_map' object", index);
      std::map<std::string, size_t> shard_of_file;
      for (const auto& [name, file] : map["weight_map"].items()) {
        if (!shard_of_file.count(file.get<std::string>())) {
          shard_of_file[file.get<std::string>()] = files_.size();
          files_.push_back(SafetensorsFile::open(dir / file.get<std::string>()));
        }
      }
    } else {
      fail_input("{}: no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are not "
                 "read: convert them with safetensors' convert script or save_pretrained(safe_serialization=True))",
                 dir);
    }
    for (const auto& file : files_)
      for (const auto& tensor : file.tensors()) {
        std::string name = tensor.name;
        if (name.rfind("dinov2.", 0) == 0) name = name.substr(7);
        by_name_[name] = {&file, &tensor};
      }
  }

  // The tensor as float32, after checking its shape.
  std::vector<float> load(const std::string& name, const std::vector<int64_t>& shape) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end())
      fail_input("{}: no tensor '{}' (is this a DINOv2 checkpoint?)", files_.front().path(), name);
    const auto& [file, tensor] = it->second;
    if (tensor->shape != shape)
      fail_input("{}: tensor '{}' has shape {} but config.json implies {}", file->path(), name,
                 shape_string(tensor->shape), shape_string(shape));
    if (!dtype_is_float(tensor->dtype))
      fail_input("{}: tensor '{}' has dtype {}, expected F32/F16/BF16", file->path(), name, dtype_name(tensor->dtype));
    std::vector<float> values = tensor->to_f32();
    for (float v : values)
      if (!std::isfinite(v)) fail_input("{}: tensor '{}' contains NaN or Inf", file->path(), name);
    return values;
  }

 private:
  std::vector<SafetensorsFile> files_;
  std::map<std::string, std::pair<const SafetensorsFile*, const TensorView*>> by_name_;
};

std::vector<float> concat(std::vector<float> a, const std::vector<float>& b, const std::vector<float>& c) {
  a.insert(a.end(), b.begin(), b.end());
  a.insert(a.end(), c.begin(), c.end());
  return a;
}

}  // namespace

Dinov2Config read_dinov2_config(const std::filesystem::path& path) {
  const Json config = read_json_file(path);
  if (!config.is_object()) fail_input("{}: not a JSON object", path);
  const std::string type = config.value("model_type", "dinov2");
  if (type != "dinov2")
    fail_input("{}: model_type '{}' is not supported (DINOv2 without registers: 'dinov2')", path, type);
  if (config.value("use_swiglu_ffn", false)) fail_input("{}: SwiGLU DINOv2 variants are not supported", path);
  if (config.value("num_register_tokens", 0) != 0) fail_input("{}: register tokens are not supported", path);
  const std::string act = config.value("hidden_act", "gelu");
  if (act != "gelu") fail_input("{}: hidden_act '{}' is not supported (exact 'gelu' only)", path, act);
  Dinov2Config out;
  out.hidden_size = config_int(config, "hidden_size", 768, path);
  out.num_layers = config_int(config, "num_hidden_layers", 12, path);
  out.num_heads = config_int(config, "num_attention_heads", 12, path);
  out.intermediate_size = out.hidden_size * config_int(config, "mlp_ratio", 4, path);
  out.patch_size = config_int(config, "patch_size", 14, path);
  out.image_size = config_int(config, "image_size", 518, path);
  out.num_channels = config_int(config, "num_channels", 3, path);
  out.layer_norm_eps = config.value("layer_norm_eps", 1e-6f);
  out.qkv_bias = config.value("qkv_bias", true);
  if (out.hidden_size % out.num_heads != 0)
    fail_input("{}: hidden_size {} is not divisible by num_attention_heads {}", path, out.hidden_size, out.num_heads);
  if (out.num_channels != 3) fail_input("{}: num_channels {} (only 3 is supported)", path, out.num_channels);
  return out;
}

Dinov2Model Dinov2Model::load(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) fail_input("{}: not a model directory", dir);
  Dinov2Config config = read_dinov2_config(dir / "config.json");
  const CheckpointTensors tensors(dir);
  const int64_t d = config.hidden_size, inner = config.intermediate_size, p = config.patch_size,
                c = config.num_channels, g = config.grid();
  Dinov2Weights w;
  w.patch_weight = tensors.load("embeddings.patch_embeddings.projection.weight", {d, c, p, p});
  w.patch_bias = tensors.load("embeddings.patch_embeddings.projection.bias", {d});
  w.cls_token = tensors.load("embeddings.cls_token", {1, 1, d});
  w.position_table = tensors.load("embeddings.position_embeddings", {1, 1 + g * g, d});
  for (int64_t i = 0; i < config.num_layers; ++i) {
    const std::string l = "encoder.layer." + std::to_string(i) + ".";
    Dinov2Weights::Layer layer;
    layer.norm1_weight = tensors.load(l + "norm1.weight", {d});
    layer.norm1_bias = tensors.load(l + "norm1.bias", {d});
    const std::string a = l + "attention.attention.";
    layer.qkv_weight = concat(tensors.load(a + "query.weight", {d, d}), tensors.load(a + "key.weight", {d, d}),
                              tensors.load(a + "value.weight", {d, d}));
    if (config.qkv_bias)
      layer.qkv_bias = concat(tensors.load(a + "query.bias", {d}), tensors.load(a + "key.bias", {d}),
                              tensors.load(a + "value.bias", {d}));
    else
      layer.qkv_bias.assign(size_t(3 * d), 0.0f);
    layer.proj_weight = tensors.load(l + "attention.output.dense.weight", {d, d});
    layer.proj_bias = tensors.load(l + "attention.output.dense.bias", {d});
    layer.layer_scale1 = tensors.load(l + "layer_scale1.lambda1", {d});
    layer.norm2_weight = tensors.load(l + "norm2.weight", {d});
    layer.norm2_bias = tensors.load(l + "norm2.bias", {d});
    layer.fc1_weight = tensors.load(l + "mlp.fc1.weight", {inner, d});
    layer.fc1_bias = tensors.load(l + "mlp.fc1.bias", {inner});
    layer.fc2_weight = tensors.load(l + "mlp.fc2.weight", {d, inner});
    layer.fc2_bias = tensors.load(l + "mlp.fc2.bias", {d});
    layer.layer_scale2 = tensors.load(l + "layer_scale2.lambda1", {d});
    w.layers.push_back(std::move(layer));
  }
  w.final_norm_weight = tensors.load("layernorm.weight", {d});
  w.final_norm_bias = tensors.load("layernorm.bias", {d});
  return Dinov2Model(config, std::move(w));
}

}  // namespace saerad
