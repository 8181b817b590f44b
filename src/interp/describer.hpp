#pragma once
// The describer interface (method.md §3): a feature's top-activating studies' reports in, one description out
// — "the radiological finding these reports share", or interpretable = false when they share none.
// Implementations: `extractive` (interp/describer_extractive.hpp, offline and deterministic) and `llm`
// (interp/describer_llm.hpp). `interpret` stores the result in the feature store.
//
// And the judge used for description scores (§3, "scoring a description"): does a report state the described
// finding? The labeler-based judge is here (interp/description_score.hpp); an LLM yes/no judge plugs in the same way.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "interp/feature_store.hpp"

namespace saerad {

struct DescriberExample {
  std::string study_id;
  float activation = 0;
  std::string report;  // the chosen section (findings by default); may be empty when the study has none
};

struct DescriberInput {
  int64_t feature_id = 0;
  std::vector<DescriberExample> examples;  // strongest first (rank 0 first)
  std::vector<LabelEnrichment> enrichment; // CheXpert label rates among the examples vs base rates
  double density = 0;
};

struct Description {
  bool interpretable = false;
  std::string description;  // one or two sentences; empty when !interpretable
  std::vector<int> evidence;  // ranks (0-based indices into DescriberInput::examples) supporting it
  std::string describer;      // "extractive", "llm"
  std::string describer_model;  // e.g. "qwen2.5-7b" or "extractive-v1"
  std::string prompt_version;   // the prompt's (or algorithm's) version
  StoredDescription to_stored() const {
    return {interpretable, interpretable ? description : std::string(), evidence, describer, describer_model,
            prompt_version};
  }
};

// One feature's outcome in describe_all: a description, or the error that prevented one (the feature is
// then recorded in the store's failure list and retried by the next run).
struct DescribeOutcome {
  std::optional<Description> description;
  std::string error;
};

class Describer {
 public:
  virtual ~Describer() = default;
  virtual std::string name() const = 0;            // stored as `describer`
  virtual std::string model() const = 0;           // stored as `describer_model`
  virtual std::string prompt_version() const = 0;  // stored as `prompt_version`
  // Describes one feature. Throws saerad::Error on failure.
  virtual Description describe(const DescriberInput& input) = 0;
  // Describes many; `done(i, outcome)` is called once per input, never concurrently (so it may write to the
  // store), in any order. The default runs describe() in sequence and catches its errors; LLM describers
  // override it to run requests concurrently.
  virtual void describe_all(std::span<const DescriberInput> inputs,
                            const std::function<void(size_t, DescribeOutcome)>& done);
};

// Does a report state the finding a description names? Used for description scores.
class StatementJudge {
 public:
  virtual ~StatementJudge() = default;
  virtual std::string name() const = 0;  // recorded in score_json.method ("labeler", "llm:<model>")
  // For each report: true when it states the described finding, false when not, nullopt when undecidable
  // (such studies are left out of the AUROC). Returns an empty vector when the description itself names
  // nothing this judge can check (the feature then has no score).
  virtual std::vector<std::optional<bool>> states(const Description& description,
                                                  const std::vector<std::string>& reports) = 0;
};

}  // namespace saerad
