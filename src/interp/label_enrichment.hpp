#pragma once
// Label enrichment of a feature (issue 7 §2): the rate of each CheXpert observation (positive mentions) among
// the feature's top-k example studies against its base rate over the split, as a smoothed log odds ratio.
// A feature whose examples are 9/10 "Pleural Effusion" against a 5% base rate has log odds ≈ 4.8.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "interp/feature_store.hpp"
#include "text/chexpert.hpp"

namespace saerad {

// Positive (== 1) CheXpert observations per study, and their base rates over those studies.
struct LabelTable {
  std::vector<std::array<uint8_t, kNumObservations>> positive;  // [n_studies][14]
  std::array<double, kNumObservations> base_rate{};
  int64_t size() const { return int64_t(positive.size()); }
  Json base_rates_json() const;  // {label: rate}
};

LabelTable make_label_table(const std::vector<ChexpertLabels>& labels);

// log((a+½)/(k−a+½)) − log((B+½)/(N−B+½)) per observation, a = positives among `studies` (indices into the
// table), B = positives over the table. Empty when `studies` is empty.
std::vector<LabelEnrichment> label_enrichment(const LabelTable& table, std::span<const int64_t> studies);

}  // namespace saerad
