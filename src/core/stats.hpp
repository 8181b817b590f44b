#pragma once
// Small statistics shared by interp (description scores), demo (concept recovery) and eval.
#include <cstdint>
#include <span>

namespace saerad {

// Area under the ROC curve of `scores` for binary `labels` (ties get half credit — the Mann–Whitney U
// statistic). Returns NaN when either class is empty.
double auroc(std::span<const double> scores, std::span<const uint8_t> labels);

}  // namespace saerad
