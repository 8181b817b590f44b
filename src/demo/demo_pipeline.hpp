#pragma once
// `saerad demo`: the whole of SAE-Rad on the phantom cohort, with the pipeline's real code —
// phantoms → embed (builtin encoder, or DINOv2 with --model) → train a gated-hybrid SAE on the train split →
// interpret (feature store, extractive or LLM describer) → compose test reports → eval against the
// ground-truth reports (and against a random training study's report, the floor) → concept recovery →
// demo/index.html + metrics.json. Stage timings are printed and recorded.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/json_io.hpp"

namespace saerad::demo {

struct DemoOptions {
  std::filesystem::path out = "demo";
  int n = 1000;                 // studies
  int image_size = 384;
  uint64_t seed = 0;
  double test_fraction = 0.25;
  std::filesystem::path model_dir;  // DINOv2 / Rad-DINO HF folder; empty = builtin encoder
  std::string llm_url, llm_model;   // describer + composer through an OpenAI-compatible server
  int64_t expansion = 8;
  int64_t steps = 0;            // 0 = the demo's default schedule for its size
  double l1 = 0;                // 0 = the demo's default
  double lr = 0;                // 0 = the demo's default
};

// Runs every stage; returns metrics.json's content.
Json run_demo(const DemoOptions& options);

}  // namespace saerad::demo
