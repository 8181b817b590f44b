#pragma once
// The offline describer (`--describer extractive`): deterministic, no model. From a feature's top-k reports
// it finds what they share more than the corpus does —
//   * labeler findings: CheXpert observations stated present (1 or −1) or absent (0) in at least
//     `min_support` of the examples, with a log odds ratio against the background of at least `min_log_odds`
//     and a binomial tail probability under the background rate of at most `max_p_value`;
//   * distinctive phrases: 1–3-word n-grams (report_phrases.hpp) passing the same tests against their
//     background document frequency, weighted by log odds × support —
// then picks the example sentences that state the most of it (tidied, deduplicated), at most
// `max_sentences`. interpretable = false when nothing is consistent. The background is the split's reports.
#include <array>
#include <string>
#include <vector>

#include "interp/describer.hpp"
#include "interp/report_phrases.hpp"
#include "text/chexpert.hpp"

namespace saerad {

struct ExtractiveOptions {
  double min_support = 0.5;      // fraction of the non-empty example reports
  double min_log_odds = 1.0;     // against the background
  // and at most this chance of so many examples sharing it under the background rate (binomial tail):
  // many phrases are tested per feature, so chance agreement among 10 random reports must not pass.
  double max_p_value = 1e-3;
  int max_sentences = 2;
  int min_examples = 2;          // fewer non-empty example reports: not interpretable
  double max_sentence_overlap = 0.5;  // token Jaccard above which a second sentence is a duplicate
};

inline constexpr const char* kExtractiveVersion = "extractive-v1";

class ExtractiveDescriber : public Describer {
 public:
  // background_reports and background_labels: the corpus the examples are compared against (same length).
  ExtractiveDescriber(const ChexpertLabeler& labeler, const std::vector<std::string>& background_reports,
                      const std::vector<ChexpertLabels>& background_labels, ExtractiveOptions options = {});
  std::string name() const override { return "extractive"; }
  std::string model() const override { return kExtractiveVersion; }
  std::string prompt_version() const override { return "1"; }
  Description describe(const DescriberInput& input) override;

 private:
  const ChexpertLabeler& labeler_;
  ExtractiveOptions options_;
  PhraseFrequencies background_;
  // Background rate of each observation being stated present (index 0) / absent (index 1).
  std::array<std::array<double, 2>, kNumObservations> background_rate_{};
  int background_size_ = 0;
};

}  // namespace saerad
