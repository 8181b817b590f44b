#pragma once
// Report generation (method.md §4) for `report`, the viewer's upload and the demo: an embedding (or a row
// of sparse activations) → active SAE features → importance = f_i·‖d_i‖ / Σ_active f_j·‖d_j‖ → the
// interpretable ones, most important first, with their descriptions and top example studies → a composer
// → GeneratedReport with formats.md provenance (sentence → features → their example study ids).
//
//   SaeModel sae = SaeModel::load("runs/sae64");
//   FeatureStore store("features.db", FeatureStore::Mode::ReadOnly);
//   ExtractiveComposer composer;                        // or the LLM composer (report/composer_llm.hpp)
//   ReportGenerator generator(sae, store, composer);
//   GeneratedReport r = generator.generate(embedding, "study-1");
//   r.report; r.provenance; r.active;
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json_io.hpp"
#include "core/sparse_activations.hpp"
#include "interp/feature_store.hpp"
#include "report/composer.hpp"

namespace saerad {

class SaeModel;

struct ReportOptions {
  int max_features = 0;         // at most this many interpretable features go to the composer (0 = all)
  double min_importance = 0;    // features below this importance are left out
  size_t examples_per_feature = 0;  // example study ids per feature in provenance (0 = all stored, usually k)
  std::string empty_report;     // the report of a study none of whose features qualify ("" = leave it empty)
};

// Report settings recorded in a feature store's meta (report_max_features, report_min_importance,
// report_empty_text) by whoever tuned them for that store — `saerad demo` does — so that `report` and
// `serve` write the same reports by default; their flags override. Unrecorded settings keep their defaults.
void record_report_options(FeatureStore& store, const ReportOptions& options);
ReportOptions recorded_report_options(const FeatureStore& store);
// The recorded settings with the given ones (flags) taking precedence.
ReportOptions report_options_for(const FeatureStore& store, std::optional<int> max_features,
                                 std::optional<double> min_importance);

// Optional context per study (the paper's ablations: indication, prior report).
struct StudyContext {
  std::string study_id;
  std::string indication;
  std::string prior_report;
};

struct GeneratedReport {
  std::string study_id;
  std::string report;
  Json provenance = Json::array();  // [{sentence, features: [{id, importance, description, examples}]}]
  std::vector<ActiveFeature> active;  // every active feature (interpretable or not), most important first
  std::string composer, composer_model;
  bool leakage = false;  // the study itself is an example of a feature the report used
  std::string error;     // non-empty when the composer failed for this study (report then empty)
  // One predictions JSONL line: {"id", "report", "provenance", "composer", "leakage", "active_features"}.
  Json to_json() const;
};

// Every interpretable feature's description and example study ids, held in memory (one read of the store).
class FeatureCatalog {
 public:
  static FeatureCatalog load(const FeatureStore& store);
  struct Entry {
    std::string description;
    bool interpretable = false;
    std::vector<std::string> examples;
  };
  const Entry* find(int64_t id) const;
  size_t interpretable_count() const { return interpretable_; }
  void add(int64_t id, Entry entry);

 private:
  std::unordered_map<int64_t, Entry> entries_;
  size_t interpretable_ = 0;
};

// Active features of one row with importance f_i·‖d_i‖ / Σ_active f_j·‖d_j‖, most important first (ties by
// id). indices/values: the row's CSR entries; decoder_norms: [d_sae] (empty = all 1, a folded SAE).
std::vector<ActiveFeature> weigh_active_features(std::span<const int32_t> indices, std::span<const float> values,
                                                 std::span<const float> decoder_norms, const FeatureCatalog& catalog);

// The composer's input: the interpretable active features that pass the options' limits.
ComposerInput composer_input(const StudyContext& context, const std::vector<ActiveFeature>& active,
                             const ReportOptions& options);

class ReportGenerator {
 public:
  // From an SAE (encodes embeddings itself) — the viewer's upload, the demo, `report --image`.
  ReportGenerator(const SaeModel& sae, const FeatureStore& store, Composer& composer, ReportOptions options = {});
  // From precomputed sparse activations only (no SAE needed): `decoder_norms` as stored with them.
  ReportGenerator(std::vector<float> decoder_norms, const FeatureStore& store, Composer& composer,
                  ReportOptions options = {});

  // One embedding [d_in] (needs the SAE constructor).
  GeneratedReport generate(std::span<const float> embedding, const StudyContext& context = {});
  // One row of sparse activations.
  GeneratedReport generate_from_row(std::span<const int32_t> indices, std::span<const float> values,
                                    const StudyContext& context = {});
  // Many rows; the composer may run them concurrently. `done(i, report)` once per row, never concurrently.
  void generate_all(const SparseActivations& acts, std::span<const StudyContext> contexts,
                    const std::function<void(size_t, GeneratedReport)>& done);

  const FeatureCatalog& catalog() const { return catalog_; }

 private:
  GeneratedReport finish(const StudyContext& context, std::vector<ActiveFeature> active, const ComposeOutcome& outcome) const;
  const SaeModel* sae_ = nullptr;
  std::vector<float> decoder_norms_;
  FeatureCatalog catalog_;
  Composer& composer_;
  ReportOptions options_;
};

}  // namespace saerad
