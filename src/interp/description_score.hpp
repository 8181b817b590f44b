#pragma once
// Description scores (method.md §3, our addition): on held-out studies, the AUROC of "the study's report
// states the described finding" against the feature's activation (0 where it does not fire).
// The labeler judge decides "states" with the CheXpert labeler: the observations the description states
// present (any of them in the report) or, for a description of absences, all of them absent in the report;
// a description naming no observation falls back to its content words (≥ 60% of them in the report).
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "interp/describer.hpp"
#include "text/chexpert.hpp"

namespace saerad {

class LabelerJudge : public StatementJudge {
 public:
  explicit LabelerJudge(const ChexpertLabeler& labeler) : labeler_(labeler) {}
  std::string name() const override { return "labeler"; }
  std::vector<std::optional<bool>> states(const Description& description,
                                          const std::vector<std::string>& reports) override;

 private:
  const ChexpertLabels& labels_of(const std::string& report);
  const ChexpertLabeler& labeler_;
  std::mutex mutex_;
  std::unordered_map<std::string, ChexpertLabels> cache_;
};

struct DescriptionScore {
  std::optional<double> auroc;  // nullopt: undefined (no positives or no negatives, or nothing to judge)
  int64_t n = 0, positives = 0;
  std::string method;
  Json to_json() const;
};

// activations[i]: the feature's activation on the study whose report is reports[i] (0 if it does not fire).
DescriptionScore score_description(const Description& description, StatementJudge& judge,
                                   const std::vector<std::string>& reports, std::span<const float> activations);

}  // namespace saerad
