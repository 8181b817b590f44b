#pragma once
// Concept recovery (the demo's measure of whether the SAE found the ground-truth findings): for each finding,
// the single SAE feature whose activation best separates studies with and without it on the training split
// (AUROC, activation 0 where the feature does not fire), and that feature's AUROC on the test split — chance
// is 0.5. Choosing on train and scoring on test keeps the best-of-m selection honest.
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "core/sparse_activations.hpp"

namespace saerad::demo {

struct ConceptResult {
  std::string concept_name;
  int64_t feature = -1;        // -1: no feature fires on enough training studies
  double train_auroc = NAN, test_auroc = NAN;  // NaN: no candidate feature, or a split without both classes
  int64_t train_positives = 0, test_positives = 0;
};

// acts: one row per study; labels[r][c]: study r has concept c; train/test: row indices.
// min_fires: features firing on fewer training studies are not candidates.
std::vector<ConceptResult> recover_concepts(const SparseActivations& acts, const std::vector<std::vector<uint8_t>>& labels,
                                            const std::vector<std::string>& concept_names,
                                            const std::vector<int64_t>& train, const std::vector<int64_t>& test,
                                            int64_t min_fires = 3);

// {name: test AUROC, ..., "mean": mean over the concepts with test positives and negatives}.
Json concept_recovery_json(const std::vector<ConceptResult>& results);

}  // namespace saerad::demo
