#pragma once
// CheXpert F1 between the labels of generated and reference reports (method.md §5): per observation a
// binary positive/negative, then precision, recall, F1 and support (reference positives) per class, micro
// F1 (pooled TP/FP/FN) and macro F1 (mean over every listed class, a class with no TP+FP+FN counting 0 —
// sklearn's zero_division=0) over the 14 observations (No Finding included) and over the 5 competition
// ones. Uncertain (−1) is negative in the headline `uncertain_as_negative` and positive in
// `uncertain_as_positive`; blank (not mentioned) and 0 are negative.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "text/chexpert.hpp"

namespace saerad::eval {

enum class UncertainPolicy { AsNegative, AsPositive };
std::string_view policy_name(UncertainPolicy policy);  // "uncertain_as_negative" / "uncertain_as_positive"

// Per study: bit c set = class c is TP / FP / FN (kObservations order). Summing them over a (re)sample
// gives the confusion counts, so bootstrap resamples cost O(n) each.
struct StudyOutcome {
  uint16_t tp = 0, fp = 0, fn = 0;
};
StudyOutcome study_outcome(const ChexpertLabels& prediction, const ChexpertLabels& reference, UncertainPolicy policy);

struct ClassScore {
  double precision = 0, recall = 0, f1 = 0;
  uint64_t support = 0, tp = 0, fp = 0, fn = 0;
};
struct ChexpertF1 {
  std::array<ClassScore, kNumObservations> per_class;
  double micro_f1_14 = 0, macro_f1_14 = 0, micro_f1_5 = 0, macro_f1_5 = 0;
};

// multiplicity: how often each study is in the sample (empty = once each).
ChexpertF1 chexpert_f1(std::span<const StudyOutcome> outcomes, std::span<const uint32_t> multiplicity = {});

}  // namespace saerad::eval
