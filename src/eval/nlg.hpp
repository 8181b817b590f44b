#pragma once
// The pycocoevalcap metrics over one corpus of (generated, reference) report pairs: BLEU-1..4, ROUGE-L and
// CIDEr-D. prepare_nlg() tokenizes and interns once; nlg_scores() then recomputes every corpus statistic
// for any sample of the studies (a bootstrap resample is a multiplicity per study) without re-tokenizing.
#include <array>
#include <span>
#include <string>
#include <vector>

#include "eval/bleu.hpp"
#include "eval/ngrams.hpp"

namespace saerad::eval {

struct NlgCorpus {
  std::vector<PairNgrams> pairs;  // BLEU / CIDEr-D tokens: Python's str.split()
  uint32_t ngram_count = 0;
  std::vector<BleuStats> bleu;    // per study
  std::vector<double> rouge_l;    // per study (tokens: str.split(" "))
};

// hypotheses[i] and references[i] are already normalised (tokenize.hpp): tokens joined by spaces.
NlgCorpus prepare_nlg(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

struct NlgScores {
  std::array<double, kMaxNgram> bleu{};
  double rouge_l = 0, cider_d = 0;
  std::vector<double> cider_d_per_study;  // only for the full corpus (empty multiplicity)
};

// multiplicity: as in cider_d(); empty = every study once (then means use numpy's summation order).
NlgScores nlg_scores(const NlgCorpus& corpus, std::span<const uint32_t> multiplicity = {});

}  // namespace saerad::eval
