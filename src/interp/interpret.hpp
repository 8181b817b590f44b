#pragma once
// `saerad interpret` as a library call: SAE + embeddings + studies.csv → the feature store.
//   1. statistics (once per store, redone when the SAE, k, split or section change): one streaming pass
//      over the split's studies — top-k examples, density, mean/max activation, histograms — and label
//      enrichment of every feature against the split's CheXpert base rates;
//   2. descriptions of the chosen features (`all`, `top-density:N`, `ids:FILE`) that have none yet, each
//      stored as it arrives (an interrupted run resumes where it stopped);
//   3. description scores on held-out studies (the studies outside the split).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "interp/describer.hpp"
#include "interp/feature_store.hpp"
#include "text/chexpert.hpp"

namespace saerad {

struct InterpretOptions {
  std::filesystem::path sae_dir, embeddings, ids_file, studies, out;
  std::string split = "train";     // the studies whose reports describe features; "all" = every study
  std::string section = "findings";  // findings | impression | both
  int top_k = 10;
  std::string features = "all";    // all | top-density:N | ids:FILE
  bool force = false;              // accept a store built from another SAE (its statistics are rebuilt)
  bool redescribe = false;         // describe the chosen features again even when they have descriptions
  bool score = true;               // compute description scores
  int64_t score_max_studies = 2000;  // held-out studies used for scores (a seeded sample when more)
  int64_t batch_rows = 1024;       // embeddings encoded at a time
  int64_t describe_chunk = 256;    // features handed to the describer at a time
  uint64_t seed = 0;
  bool dry_run = false;            // an LLM dry run: nothing is stored, no scores
};

// What the describer (and judge) factories get: the split's reports and their labels (the background).
struct InterpretCorpus {
  const ChexpertLabeler& labeler;
  const std::vector<std::string>& reports;        // the split's studies, section chosen
  const std::vector<ChexpertLabels>& labels;      // same order
};

using DescriberFactory = std::function<std::unique_ptr<Describer>(const InterpretCorpus&)>;
using JudgeFactory = std::function<std::unique_ptr<StatementJudge>(const InterpretCorpus&)>;

struct InterpretSummary {
  int64_t d_sae = 0, studies = 0, heldout_studies = 0, missing_studies = 0;
  int64_t alive = 0;          // features that fire on at least one study of the split
  int64_t selected = 0;       // chosen by --features (alive only)
  int64_t skipped_done = 0;   // already described (resume)
  int64_t described = 0, interpretable = 0, failed = 0;
  bool statistics_computed = false;
  DescriptionScoreSummary scores;  // over the whole store
  double seconds = 0;
  Json to_json() const;
};

// `features` spec → feature ids (validated against d_sae; InputError naming the spec or file otherwise).
std::vector<int64_t> select_features(const std::string& spec, const FeatureStore& store, int64_t d_sae);

InterpretSummary run_interpret(const InterpretOptions& options, const DescriberFactory& make_describer,
                               const JudgeFactory& make_judge);

}  // namespace saerad
