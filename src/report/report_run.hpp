#pragma once
// `saerad report` as a library call: precomputed embeddings (every study, or one split of studies.csv) or
// one image → active features → a composer → predictions JSONL (docs/formats.md "Predictions", with
// provenance), optionally the feature store's `reports` table.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/composer.hpp"
#include "report/report_generator.hpp"

namespace saerad {

struct ReportRunOptions {
  std::filesystem::path sae_dir, features, out;
  // Input: embeddings (+ ids for .npy) …
  std::filesystem::path embeddings, ids_file;
  // … or one image, embedded with a DINOv2 model folder or the builtin encoder.
  std::filesystem::path image, model_dir;
  bool builtin_encoder = false;
  std::filesystem::path studies;   // optional: indication per study, and --split filtering
  std::string split;               // with studies: only studies of this split ("" = every embedded study)
  bool use_indication = true;
  bool use_prior_report = false;   // with studies: the subject's previous report as context (the paper's ablation)
  std::string indication;          // for --image
  std::string study_id;            // for --image (default: the image's file name)
  bool store = false;              // also write the store's `reports` table
  // Report settings: those recorded in the feature store (recorded_report_options), overridden by these.
  std::optional<int> max_features;
  std::optional<double> min_importance;
};

struct ReportRunSummary {
  int64_t studies = 0, with_sentences = 0, failed = 0, leakage = 0;
  int64_t with_prior_report = 0;          // studies given a previous report as context (--prior-report)
  double mean_active = 0, mean_used = 0;  // active features per study; features behind its sentences
  double seconds = 0;
  std::vector<GeneratedReport> single;    // the --image report (also printed by the CLI)
  Json to_json() const;
};

ReportRunSummary run_report(const ReportRunOptions& options, Composer& composer);

}  // namespace saerad
