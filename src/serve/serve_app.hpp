#pragma once
// `saerad serve` as one call: load studies.csv, the SAE and the encoder, check the feature store was made
// with them, and serve the viewer until interrupted. The CLI file only parses options into ServeOptions.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace saerad::serve {

struct ServeOptions {
  std::filesystem::path features;                  // features.db
  std::filesystem::path sae;                       // SAE directory
  std::filesystem::path studies;                   // studies.csv (optional: pages then show no reports/images)
  std::vector<std::filesystem::path> image_roots;  // the only directories images are read from
  std::filesystem::path model;                     // DINOv2 / Rad-DINO folder
  std::string encoder;                             // "builtin"
  std::string host = "127.0.0.1";
  int port = 8765;
  double upload_limit_mb = 50;
  int threads = 16;
  std::optional<int> max_features;       // default: the store's recorded setting, else all
  std::optional<double> min_importance;  // default: the store's recorded setting, else 0
};

void run_viewer(const ServeOptions& options);  // blocks; throws InputError on bad options or a mismatch

}  // namespace saerad::serve
