#pragma once
// The findings section a radiologist would write for a phantom study, and its ground-truth CheXpert labels.
// Sentences are drawn from several phrasings per finding (laterality, lobe and severity words, pertinent
// negatives chosen at random) and every phrasing carries the labels it states, so the label vector is the
// report's meaning by construction. The phrasings keep to the CheXpert labeler's vocabulary (no hedging, no
// words that veto "No Finding" in a normal report) so `saerad label` reads them back.
#include <string>

#include "demo/phantom_cohort.hpp"
#include "text/chexpert.hpp"

namespace saerad::demo {

struct PhantomReport {
  std::string findings;
  std::string impression;
  ChexpertLabels labels;  // what `findings` states (positives, pertinent negatives; unmentioned = nullopt)
};

// Deterministic: a pure function of the study.
PhantomReport write_report(const PhantomStudy& study);

}  // namespace saerad::demo
