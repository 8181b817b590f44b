#include "sae/sae_info.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/safetensors.hpp"
#include "sae/sae_metrics.hpp"
#include "sae/sae_model.hpp"

namespace saerad {

namespace fs = std::filesystem;

Json sae_info(const fs::path& dir) {
  const SaeModel sae = SaeModel::load(dir);
  Json info;
  info["directory"] = dir.string();
  info["architecture"] = sae.architecture();
  info["saelens_architecture"] = sae.saelens_architecture();
  info["d_in"] = sae.d_in();
  info["d_sae"] = sae.d_sae();
  info["expansion"] = double(sae.d_sae()) / double(sae.d_in());
  info["fingerprint"] = sae.fingerprint();
  info["embeddings_model"] = sae.embeddings_model();
  const auto norms = sae.decoder_norms();
  const auto [lo, hi] = std::minmax_element(norms.begin(), norms.end());
  info["decoder_norm_range"] = {norms.empty() ? 0.0f : *lo, norms.empty() ? 0.0f : *hi};
  Json hyper = Json::object();
  for (const char* key : {"l1", "aux_decoder", "k", "k_aux", "lr", "batch", "epochs", "steps", "l1_warmup", "lr_decay",
                          "grad_clip", "b_dec_init", "holdout", "seed", "input_scale", "dataset_fingerprint"})
    if (sae.config().contains(key)) hyper[key] = sae.config()[key];
  info["hyperparameters"] = hyper;
  if (fs::exists(dir / "metrics.json")) info["metrics"] = read_json_file(dir / "metrics.json");
  if (fs::exists(dir / "sparsity.safetensors")) {
    const auto st = SafetensorsFile::open(dir / "sparsity.safetensors");
    const std::vector<float> density = st.get("sparsity", {sae.d_sae()}).to_f32();
    info["density"] = density_summary(density);
  }
  return info;
}

std::string format_sae_info(const Json& info) {
  std::string s = fmt::format("SAE {}\n  architecture  {} (SAELens: {})\n  size          d_in {} → d_sae {} (×{:.4g})\n",
                              info["directory"].get<std::string>(), info["architecture"].get<std::string>(),
                              info["saelens_architecture"].get<std::string>(), info["d_in"].get<int64_t>(),
                              info["d_sae"].get<int64_t>(), info["expansion"].get<double>());
  s += fmt::format("  fingerprint   {}\n", info["fingerprint"].get<std::string>());
  if (!info["embeddings_model"].get<std::string>().empty())
    s += fmt::format("  embeddings    {}\n", info["embeddings_model"].get<std::string>());
  s += fmt::format("  decoder norms {:.4g} .. {:.4g}\n", info["decoder_norm_range"][0].get<double>(),
                   info["decoder_norm_range"][1].get<double>());
  if (!info["hyperparameters"].empty()) {
    s += "hyper-parameters\n";
    for (const auto& [k, v] : info["hyperparameters"].items()) s += fmt::format("  {:<18} {}\n", k, v.dump());
  }
  if (info.contains("metrics")) {
    const Json& m = info["metrics"];
    s += "final metrics\n";
    for (const char* key : {"explained_variance", "l0", "mse", "dead_fraction", "dense_fraction", "dead_window",
                            "evaluated_on", "steps", "samples", "seconds"})
      if (m.contains(key)) s += fmt::format("  {:<18} {}\n", key, m[key].dump());
  }
  if (info.contains("density")) {
    const Json& d = info["density"];
    s += fmt::format("feature density  dense (>10%) {}  never fired {}  of {}\n", d["dense_count"].get<int64_t>(),
                     d["never_fired_count"].get<int64_t>(), d["features"].get<int64_t>());
    int64_t top = 1;
    for (const auto& bin : d["histogram"]) top = std::max(top, bin["count"].get<int64_t>());
    for (const auto& bin : d["histogram"]) {
      const int64_t count = bin["count"].get<int64_t>();
      s += fmt::format("  {:>5} .. {:<5} {:>8} {}\n", fmt::format("1e{}", bin["log10_from"].get<int>()),
                       fmt::format("1e{}", bin["log10_to"].get<int>()), count, std::string(size_t(40 * count / top), '#'));
    }
  }
  return s;
}

}  // namespace saerad
