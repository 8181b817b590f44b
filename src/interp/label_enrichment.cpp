#include "interp/label_enrichment.hpp"

#include <cmath>

#include "core/error.hpp"

namespace saerad {

Json LabelTable::base_rates_json() const {
  Json j = Json::object();
  for (size_t o = 0; o < kNumObservations; ++o) j[std::string(kObservations[o])] = base_rate[o];
  return j;
}

LabelTable make_label_table(const std::vector<ChexpertLabels>& labels) {
  LabelTable table;
  table.positive.resize(labels.size());
  std::array<int64_t, kNumObservations> counts{};
  for (size_t s = 0; s < labels.size(); ++s)
    for (size_t o = 0; o < kNumObservations; ++o) {
      const bool positive = labels[s][o] && *labels[s][o] == 1;
      table.positive[s][o] = positive;
      counts[o] += positive;
    }
  for (size_t o = 0; o < kNumObservations; ++o)
    table.base_rate[o] = labels.empty() ? 0.0 : double(counts[o]) / double(labels.size());
  return table;
}

std::vector<LabelEnrichment> label_enrichment(const LabelTable& table, std::span<const int64_t> studies) {
  std::vector<LabelEnrichment> out;
  if (studies.empty()) return out;
  const double k = double(studies.size()), n = double(table.size());
  for (size_t o = 0; o < kNumObservations; ++o) {
    int a = 0;
    for (int64_t s : studies) {
      if (s < 0 || s >= table.size()) fail("label_enrichment: study index {} outside the label table", s);
      a += table.positive[size_t(s)][o];
    }
    const double b = table.base_rate[o] * n;
    const double log_odds = std::log((a + 0.5) / (k - a + 0.5)) - std::log((b + 0.5) / (n - b + 0.5));
    out.push_back({std::string(kObservations[o]), double(a) / k, table.base_rate[o], a, log_odds});
  }
  return out;
}

}  // namespace saerad
