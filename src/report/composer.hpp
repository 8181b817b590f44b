#pragma once
// The composer interface (method.md §4): a study's active, interpretable features — each with its
// normalised importance and description — in; the findings section out, every sentence naming the
// features behind it (the provenance of docs/formats.md "Predictions").
// Implementations: `extractive` (report/composer_extractive.hpp, offline) and `llm` (report/composer_llm.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json_io.hpp"

namespace saerad {

struct ActiveFeature {
  int64_t id = 0;
  float activation = 0;
  double importance = 0;  // f_i·‖d_i‖ / Σ over the active interpretable features
  bool interpretable = false;
  std::string description;
  std::vector<std::string> examples;  // the feature's top example study ids (strongest first)
};

struct ComposerInput {
  std::string study_id;
  std::vector<ActiveFeature> features;  // interpretable only, most important first
  std::string indication;               // optional context
  std::string prior_report;             // optional context
};

struct ComposedSentence {
  std::string sentence;
  std::vector<int64_t> feature_ids;  // the features this sentence rests on (ids into ComposerInput::features)
};

struct ComposedReport {
  std::vector<ComposedSentence> sentences;
  std::string composer;        // "extractive", "llm"
  std::string composer_model;  // the model or algorithm version
  std::string text() const;    // sentences joined by single spaces
  // formats.md provenance: [{sentence, features: [{id, importance, description, examples}]}], looked up in
  // `features` (ids a sentence names that are not among them are kept with id only).
  Json provenance(std::span<const ActiveFeature> features, size_t max_examples = 0) const;  // 0: all stored examples (eval checks leakage against them)
};

struct ComposeOutcome {
  std::optional<ComposedReport> report;
  std::string error;
};

class Composer {
 public:
  virtual ~Composer() = default;
  virtual std::string name() const = 0;
  virtual std::string model() const = 0;
  // Throws saerad::Error on failure. A study with no features gets an empty report.
  virtual ComposedReport compose(const ComposerInput& input) = 0;
  // `done(i, outcome)` once per input, never concurrently, any order. The default runs compose() in
  // sequence; LLM composers override it to run requests concurrently.
  virtual void compose_all(std::span<const ComposerInput> inputs,
                           const std::function<void(size_t, ComposeOutcome)>& done);
};

}  // namespace saerad
