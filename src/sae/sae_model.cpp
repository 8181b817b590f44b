#include "sae/sae_model.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/safetensors.hpp"
#include "sae/dense_ops.hpp"
#include "sae/sae_export.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

// The SAELens architecture a saerad architecture is stored as (formats.md).
std::string saelens_of(const std::string& saerad_name) {
  if (saerad_name == "gated-hybrid" || saerad_name == "gated") return "gated";
  if (saerad_name == "relu") return "standard";
  if (saerad_name == "topk") return "topk";
  if (saerad_name == "jumprelu" || saerad_name == "batchtopk") return "jumprelu";
  return "";
}

// Names of the tensors each SAELens architecture has besides W_enc, W_dec, b_dec.
std::vector<std::string> extra_tensors(const std::string& saelens) {
  if (saelens == "gated") return {"b_gate", "b_mag", "r_mag"};
  if (saelens == "jumprelu") return {"b_enc", "threshold"};
  return {"b_enc"};
}

int64_t cfg_int(const Json& cfg, const char* key, int64_t fallback) {
  auto it = cfg.find(key);
  return it != cfg.end() && it->is_number() ? it->get<int64_t>() : fallback;
}

}  // namespace

SaeModel SaeModel::load(const fs::path& dir) {
  const fs::path cfg_path = dir / kSaeConfigFile, weights_path = dir / kSaeWeightsFile;
  if (!fs::is_directory(dir)) fail_input("{}: not an SAE directory (expected {} and {} inside)", dir, kSaeConfigFile, kSaeWeightsFile);
  if (!fs::exists(cfg_path)) fail_input("{}: missing {}", dir, kSaeConfigFile);
  if (!fs::exists(weights_path)) fail_input("{}: missing {}", dir, kSaeWeightsFile);
  Json cfg = read_json_file(cfg_path);
  if (!cfg.is_object()) fail_input("{}: expected a JSON object", cfg_path);
  SafetensorsFile st = SafetensorsFile::open(weights_path);
  const std::string architecture = cfg.value("architecture", saelens_of(cfg.value("saerad_architecture", "relu")));
  SaelensTensors tensors;
  std::vector<std::string> names = {"W_enc", "W_dec", "b_dec"};
  for (auto& n : extra_tensors(architecture)) names.push_back(n);
  for (const auto& name : names) {
    const TensorView* view = st.find(name);
    if (!view) fail_input("{}: no tensor '{}' (needed by a '{}' SAE)", weights_path, name, architecture);
    tensors[name] = {view->shape, view->to_f32()};
  }
  SaeModel model = build(tensors, cfg, fingerprint_file(weights_path), weights_path.string());
  model.dir_ = dir;
  return model;
}

SaeModel SaeModel::from_tensors(const SaelensTensors& tensors, const Json& cfg, std::string fingerprint) {
  if (fingerprint.empty()) {
    std::string bytes;
    for (const auto& [name, t] : tensors) {
      bytes += name;
      bytes.append(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
    }
    fingerprint = fingerprint_text(bytes);
  }
  return build(tensors, cfg, std::move(fingerprint), "<in-memory SAE>");
}

SaeModel SaeModel::build(const SaelensTensors& tensors, const Json& cfg, std::string fingerprint, const std::string& where) {
  SaeModel s;
  s.cfg_ = cfg;
  s.fingerprint_ = std::move(fingerprint);
  s.saelens_ = cfg.value("architecture", saelens_of(cfg.value("saerad_architecture", "relu")));
  if (s.saelens_ == "standard")
    s.kind_ = Kind::Standard;
  else if (s.saelens_ == "gated")
    s.kind_ = Kind::Gated;
  else if (s.saelens_ == "topk")
    s.kind_ = Kind::TopK;
  else if (s.saelens_ == "jumprelu")
    s.kind_ = Kind::JumpReLU;
  else
    fail_input("{}: unsupported SAE architecture '{}' (supported: standard, gated, topk, jumprelu)", where, s.saelens_);
  s.architecture_ = cfg.value("saerad_architecture", s.saelens_ == "standard" ? std::string("relu") : s.saelens_);
  s.embeddings_model_ = cfg.contains("model") && cfg["model"].is_string() ? cfg["model"].get<std::string>() : "";
  if (auto it = cfg.find("normalize_activations"); it != cfg.end() && it->is_string() && *it != "none")
    fail_input("{}: normalize_activations '{}' is not supported (only 'none'); fold the normalisation into the weights",
               where, it->get<std::string>());
  s.apply_b_dec_to_input_ = cfg.value("apply_b_dec_to_input", true);

  auto tensor = [&](const std::string& name) -> const SaelensTensor& {
    auto it = tensors.find(name);
    if (it == tensors.end()) fail_input("{}: no tensor '{}' (needed by a '{}' SAE)", where, name, s.saelens_);
    return it->second;
  };
  const SaelensTensor& W_enc = tensor("W_enc");
  if (W_enc.shape.size() != 2) fail_input("{}: W_enc has shape {}, expected [d_in, d_sae]", where, shape_string(W_enc.shape));
  s.d_in_ = W_enc.shape[0];
  s.d_sae_ = W_enc.shape[1];
  if (cfg_int(cfg, "d_in", s.d_in_) != s.d_in_ || cfg_int(cfg, "d_sae", s.d_sae_) != s.d_sae_)
    fail_input("{}: cfg.json says d_in {} d_sae {} but W_enc is {}", where, cfg_int(cfg, "d_in", 0), cfg_int(cfg, "d_sae", 0),
               shape_string(W_enc.shape));
  auto take = [&](const std::string& name, std::vector<int64_t> shape) {
    const SaelensTensor& t = tensor(name);
    if (t.shape != shape)
      fail_input("{}: tensor '{}' has shape {}, expected {}", where, name, shape_string(t.shape), shape_string(shape));
    return t.values;
  };
  const int64_t d = s.d_in_, m = s.d_sae_;
  s.W_enc_ = take("W_enc", {d, m});
  s.W_dec_ = take("W_dec", {m, d});
  s.b_dec_ = take("b_dec", {d});
  switch (s.kind_) {
    case Kind::Gated: {
      s.b_gate_ = take("b_gate", {m});
      s.b_mag_ = take("b_mag", {m});
      s.exp_r_mag_ = take("r_mag", {m});
      for (float& v : s.exp_r_mag_) v = std::exp(v);
      break;
    }
    case Kind::JumpReLU:
      s.b_enc_ = take("b_enc", {m});
      s.threshold_ = take("threshold", {m});
      break;
    case Kind::TopK: {
      s.b_enc_ = take("b_enc", {m});
      int64_t k = cfg_int(cfg, "k", 0);
      if (k == 0 && cfg.contains("activation_fn_kwargs") && cfg["activation_fn_kwargs"].is_object())
        k = cfg_int(cfg["activation_fn_kwargs"], "k", 0);
      if (k <= 0) fail_input("{}: a topk SAE needs a positive 'k' in cfg.json (or activation_fn_kwargs.k)", where);
      s.k_ = k;
      break;
    }
    case Kind::Standard: s.b_enc_ = take("b_enc", {m}); break;
  }
  s.decoder_norms_.resize(size_t(m));
  dense::row_norms(s.W_dec_.data(), m, d, s.decoder_norms_.data());
  return s;
}

std::span<const float> SaeModel::decoder_row(int64_t feature) const {
  if (feature < 0 || feature >= d_sae_) fail("decoder_row: feature {} outside [0, {})", feature, d_sae_);
  return {W_dec_.data() + feature * d_in_, size_t(d_in_)};
}

void SaeModel::preactivations(const float* x, int64_t n, float* pre) const {
  const int64_t d = d_in_, m = d_sae_;
  const float* input = x;
  std::vector<float> centred;
  if (kind_ == Kind::Gated || apply_b_dec_to_input_) {
    centred.resize(size_t(n * d));
    dense::subtract_bias(x, n, d, b_dec_.data(), centred.data());
    input = centred.data();
  }
  dense::gemm<float>(false, false, n, m, d, 1.0f, input, W_enc_.data(), 0.0f, pre);  // [n, d] · [d, m]
  if (!b_enc_.empty())
    for (int64_t r = 0; r < n; ++r)
      for (int64_t i = 0; i < m; ++i) pre[r * m + i] += b_enc_[size_t(i)];
}

void SaeModel::encode(const float* x, int64_t n, SparseActivations& out) const {
  const int64_t d = d_in_, m = d_sae_;
  if (out.d_sae == 0 && out.decoder_norm.empty()) {
    out.d_sae = m;
    out.decoder_norm = decoder_norms_;
  } else if (out.d_sae != m) {
    fail("SaeModel::encode: the output holds activations of {} features, this SAE has {}", out.d_sae, m);
  }
  const int64_t chunk = std::clamp<int64_t>((int64_t(1) << 24) / std::max<int64_t>(m, 1), 1, 256);
  std::vector<float> pre(size_t(std::min(chunk, std::max<int64_t>(n, 1)) * m));
  std::vector<int32_t> row_indices, scratch(static_cast<size_t>(m));
  std::vector<float> row_values;
  std::vector<int32_t> top;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    preactivations(x + start * d, rows, pre.data());
    for (int64_t r = 0; r < rows; ++r) {
      const float* z = pre.data() + r * m;
      row_indices.clear();
      row_values.clear();
      switch (kind_) {
        case Kind::Standard:
          for (int64_t i = 0; i < m; ++i)
            if (z[i] > 0.0f) row_indices.push_back(int32_t(i));
          break;
        case Kind::JumpReLU:
          for (int64_t i = 0; i < m; ++i)
            if (z[i] > 0.0f && z[i] > threshold_[size_t(i)]) row_indices.push_back(int32_t(i));
          break;
        case Kind::TopK: {
          top.resize(static_cast<size_t>(k_));
          const int64_t count = dense::top_k_positive(z, m, k_, nullptr, top.data(), scratch);
          row_indices.assign(top.begin(), top.begin() + count);
          std::sort(row_indices.begin(), row_indices.end());
          break;
        }
        case Kind::Gated: break;
      }
      if (kind_ == Kind::Gated) {
        for (int64_t i = 0; i < m; ++i) {
          const float u = z[i];
          const float pi_mag = exp_r_mag_[size_t(i)] * u + b_mag_[size_t(i)];
          if (u + b_gate_[size_t(i)] > 0.0f && pi_mag > 0.0f) {
            row_indices.push_back(int32_t(i));
            row_values.push_back(pi_mag);
          }
        }
      } else {
        for (int32_t i : row_indices) row_values.push_back(z[i]);
      }
      out.append_row(row_indices, row_values);
    }
  }
}

void SaeModel::decode(std::span<const int32_t> indices, std::span<const float> values, float* xhat) const {
  std::copy(b_dec_.begin(), b_dec_.end(), xhat);
  for (size_t j = 0; j < indices.size(); ++j) {
    const float* row = W_dec_.data() + int64_t(indices[j]) * d_in_;
    for (int64_t c = 0; c < d_in_; ++c) xhat[c] += values[j] * row[c];
  }
}

}  // namespace saerad
