#pragma once
// Train/test leakage of feature-based reports (formats.md Scores `leakage`): a study leaks when its own id
// is among the "examples" of a feature that wrote one of its sentences (provenance[].features[].examples).
#include <string>
#include <vector>

#include "eval/report_files.hpp"

namespace saerad::eval {

struct Leakage {
  bool checked = false;               // some evaluated prediction carried example ids
  std::vector<std::string> leaked;    // ids of the leaking studies, in evaluation order
};

bool prediction_leaks(const Prediction& prediction, bool& saw_examples);
Leakage find_leakage(const std::vector<const Prediction*>& evaluated);

}  // namespace saerad::eval
