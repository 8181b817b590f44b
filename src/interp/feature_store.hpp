#pragma once
// The feature store — `features.db`, SQLite in WAL mode (docs/formats.md "Feature store"; the full schema is
// in docs/feature-store.md). Written by `interpret` (statistics, top examples, histograms, descriptions,
// description scores) and `report --store` (reports); read by `report`, `features`, the demo and the viewer.
//
// Schema version 1:
//   meta(key TEXT PRIMARY KEY, value TEXT)
//       schema_version, sae_fingerprint, embeddings_model, studies_fingerprint, d_sae, top_k, split,
//       section, label_base_rates (JSON label → rate over the split), histogram (JSON bin layout),
//       provenance (JSON of the last run that wrote statistics), stats_complete ("1" once the pass finished)
//   features(id INTEGER PRIMARY KEY,          -- 0-based feature id
//            interpretable INTEGER,           -- 1/0; NULL = not described yet (never a magic string)
//            description TEXT, describer TEXT, describer_model TEXT, prompt_version TEXT,
//            evidence_json TEXT,              -- JSON array of example ranks (0-based) the description rests on
//            density REAL,                    -- firing rate over the split's studies
//            mean_activation REAL,            -- mean over the studies where the feature fires
//            max_activation REAL,
//            enrichment_json TEXT,            -- {label: {top_rate, base_rate, top_count, log_odds}}
//            enrichment_max_log_odds REAL,    -- max over labels of log_odds (NULL without labels)
//            description_score REAL,          -- AUROC on held-out studies (NULL: not scored / undefined)
//            score_json TEXT,                 -- {method, n, positives, auroc}
//            described_at TEXT)
//   features_fts                                -- FTS5 over features.description (kept in sync by triggers)
//   examples(feature_id, rank, study_id, activation)      PRIMARY KEY(feature_id, rank), rank 0-based
//   histograms(feature_id INTEGER PRIMARY KEY, bins_json) -- {log10_min, log10_max, counts[32]}
//   reports(study_id, composer, report, provenance_json, created)  PRIMARY KEY(study_id, composer)
//   llm_cache(key TEXT PRIMARY KEY, request_json, response_json, created)   -- written by llm/llm_cache.hpp
//   describe_failures(feature_id INTEGER PRIMARY KEY, describer, message, created)
// Other stages may add tables (the viewer's `reviews`); nothing here drops tables it does not know.
//
// Thread safety: one FeatureStore may be shared by threads; every public method takes the store's lock.
// Separate processes coordinate through SQLite (WAL: readers never block the writer).
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "interp/sqlite_db.hpp"

namespace saerad {

inline constexpr int kFeatureStoreSchemaVersion = 1;
inline constexpr int kHistogramBins = 32;

// Statistics from the streaming pass (interp/top_activations.hpp).
struct FeatureStats {
  int64_t id = 0;
  double density = 0;          // fraction of studies where the feature fires
  double mean_activation = 0;  // over the studies where it fires (0 when it never does)
  double max_activation = 0;
};

struct FeatureExample {
  int64_t feature_id = 0;
  int rank = 0;  // 0 = strongest
  std::string study_id;
  float activation = 0;
};

struct FeatureHistogram {
  double log10_min = -3, log10_max = 3;  // bin b covers [min + b·w, min + (b+1)·w), w = (max-min)/32;
  std::vector<int64_t> counts;           // values outside are clamped into the first/last bin
  Json to_json() const;
  static FeatureHistogram from_json(const Json& j);
};

// A label's rate among a feature's top examples against its base rate (CheXpert observations).
struct LabelEnrichment {
  std::string label;
  double top_rate = 0, base_rate = 0;
  int top_count = 0;
  double log_odds = 0;  // log odds ratio with +0.5 smoothing (Haldane–Anscombe)
};
Json enrichment_to_json(const std::vector<LabelEnrichment>& enrichment);
std::vector<LabelEnrichment> enrichment_from_json(const Json& j);

// What a describer decided (see interp/describer.hpp).
struct StoredDescription {
  bool interpretable = false;
  std::string description;  // empty when not interpretable
  std::vector<int> evidence;
  std::string describer, describer_model, prompt_version;
};

struct FeatureRecord {
  int64_t id = 0;
  std::optional<bool> interpretable;  // nullopt: not described yet
  std::string description, describer, describer_model, prompt_version, described_at;
  std::vector<int> evidence;
  double density = 0, mean_activation = 0, max_activation = 0;
  Json enrichment = Json::object();
  std::optional<double> enrichment_max_log_odds;
  std::optional<double> description_score;
  Json score = Json();  // score_json, null when absent
  Json to_json() const;
};

enum class FeatureSortKey { Id, Density, MeanActivation, DescriptionScore, Enrichment };
FeatureSortKey parse_feature_sort_key(const std::string& name);  // id|density|mean|score|enrichment

struct FeatureQuery {
  std::string search;                  // FTS5 over descriptions (words; "quoted phrases"; prefix*); empty = all
  FeatureSortKey sort = FeatureSortKey::Id;
  bool descending = false;             // NULL values always sort last
  std::optional<bool> interpretable;   // filter
  bool described_only = false;
  int64_t offset = 0, limit = 50;      // limit <= 0: no limit
};

struct FeaturePage {
  std::vector<FeatureRecord> features;
  int64_t total = 0;  // matches before offset/limit
};

struct StoredReport {
  std::string study_id, composer, report;
  Json provenance = Json::array();  // formats.md Predictions provenance
  std::string created;              // filled on write when empty
};

struct DescriptionScoreSummary {
  int64_t described = 0, interpretable = 0, scored = 0;
  double mean = NAN, median = NAN, fraction_above_0_7 = NAN;
  Json to_json() const;
};

class FeatureStore {
 public:
  enum class Mode { ReadOnly, ReadWrite };
  // ReadWrite creates the file and schema when missing; ReadOnly requires an existing store.
  // Throws InputError on a store of another schema version (naming file and versions).
  FeatureStore(const std::filesystem::path& path, Mode mode);
  ~FeatureStore();

  const std::filesystem::path& path() const { return path_; }

  // meta
  std::optional<std::string> meta(const std::string& key) const;
  void set_meta(const std::string& key, const std::string& value);
  int schema_version() const;
  // Refuses (InputError) a store whose `sae_fingerprint` differs from `sae_fingerprint` unless `force`;
  // records the fingerprint when the store has none yet.
  void check_sae(const std::string& sae_fingerprint, bool force);

  // Writing statistics and examples (one transaction per call; replaces what the feature had).
  void write_statistics(const std::vector<FeatureStats>& stats, const std::vector<FeatureExample>& examples,
                        const std::vector<std::pair<int64_t, FeatureHistogram>>& histograms);
  void write_enrichment(int64_t feature_id, const std::vector<LabelEnrichment>& enrichment);
  void write_enrichment_all(const std::vector<std::pair<int64_t, std::vector<LabelEnrichment>>>& all);
  void write_description(int64_t feature_id, const StoredDescription& description);
  void write_description_score(int64_t feature_id, std::optional<double> auroc, const Json& score_json);
  void record_failure(int64_t feature_id, const std::string& describer, const std::string& message);
  void clear_failure(int64_t feature_id);
  void clear_descriptions();  // every feature back to "not described" (interpret --redescribe)
  void reset_features();      // drops features, examples, histograms and failures (another SAE, --force)

  // Reading
  int64_t feature_count() const;
  std::optional<FeatureRecord> feature(int64_t id) const;
  FeaturePage query(const FeatureQuery& query) const;
  std::vector<int64_t> described_ids() const;
  std::vector<FeatureExample> examples(int64_t feature_id) const;  // by rank
  std::optional<FeatureHistogram> histogram(int64_t feature_id) const;
  std::vector<std::pair<int64_t, std::string>> failures() const;
  DescriptionScoreSummary score_summary() const;
  // Every described interpretable feature (id → record) with its example study ids, for report generation.
  std::vector<FeatureRecord> interpretable_features() const;
  std::vector<std::pair<int64_t, std::vector<std::string>>> example_study_ids() const;

  // Reports
  void write_report(const StoredReport& report);
  void write_reports(const std::vector<StoredReport>& reports);  // one transaction
  std::optional<StoredReport> report(const std::string& study_id, const std::string& composer = "") const;
  std::vector<StoredReport> reports(int64_t offset = 0, int64_t limit = 0) const;

  // The connection and its lock, for callers adding their own tables (the viewer's `reviews`).
  SqliteDb& db() { return *db_; }
  std::unique_lock<std::recursive_mutex> lock() const { return std::unique_lock(mutex_); }

 private:
  void create_schema();
  std::filesystem::path path_;
  std::unique_ptr<SqliteDb> db_;
  mutable std::recursive_mutex mutex_;
};

}  // namespace saerad
