#pragma once
// The upload pipeline of `saerad serve`: decoded image → the configured encoder (builtin or DINOv2) →
// the SAE → report/ReportGenerator with the offline extractive composer → a report with provenance.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "serve/report_pipeline.hpp"

namespace saerad::serve {

struct PipelineOptions {
  std::filesystem::path sae_dir;
  std::filesystem::path model_dir;  // HF DINOv2 / Rad-DINO folder, or empty
  std::string encoder;              // "builtin", or empty: model_dir, else what the SAE was trained on if builtin
  std::filesystem::path store;      // the feature store (descriptions and examples for the composer)
  // Report settings: the store's recorded ones (recorded_report_options), overridden by these.
  std::optional<int> max_features;  // 0 = all interpretable active features
  std::optional<double> min_importance;
};

// Loads the SAE and the encoder. Throws InputError when no encoder can be chosen.
std::unique_ptr<ReportPipeline> make_sae_report_pipeline(const PipelineOptions& options);

}  // namespace saerad::serve
