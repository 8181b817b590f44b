#pragma once
// The offline composer (`--composer extractive`): deterministic, no model.
//   1. Each feature description is split into sentences and labelled (CheXpert observations, polarity).
//   2. One statement per finding: for each observation the features vote present / uncertain / absent,
//      weighted by importance; the winning side's most important sentence states it — unless that sentence
//      also asserts something the vote decided otherwise, when a plain template sentence does
//      ("There is a pleural effusion." / "No pleural effusion.").
//   3. Sentences naming no observation ("Calcified granuloma.") are kept once each (near-duplicates merged).
//      A sentence naming only "No Finding" is kept when nothing present was decided.
//   4. Ordered lines/tubes → lungs → pleura → heart/mediastinum → bones → other, then by importance.
// Each statement names every feature that voted for it.
#include <string>

#include "report/composer.hpp"
#include "text/chexpert.hpp"

namespace saerad {

struct ExtractiveComposerOptions {
  int max_sentences = 12;
  double duplicate_overlap = 0.6;  // token Jaccard above which two unlabelled sentences are one statement
};

inline constexpr const char* kExtractiveComposerVersion = "extractive-composer-v1";

// The template sentence for an observation: polarity 1 present, -1 uncertain, 0 absent.
std::string observation_statement(size_t observation, int polarity);

class ExtractiveComposer : public Composer {
 public:
  explicit ExtractiveComposer(const ChexpertLabeler& labeler, ExtractiveComposerOptions options = {});
  std::string name() const override { return "extractive"; }
  std::string model() const override { return kExtractiveComposerVersion; }
  ComposedReport compose(const ComposerInput& input) override;

 private:
  const ChexpertLabeler& labeler_;
  ExtractiveComposerOptions options_;
};

}  // namespace saerad
