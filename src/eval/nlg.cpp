#include "eval/nlg.hpp"

#include "core/error.hpp"
#include "eval/cider.hpp"
#include "eval/pairwise_sum.hpp"
#include "eval/rouge.hpp"
#include "eval/tokenize.hpp"

namespace saerad::eval {
namespace {

std::vector<uint32_t> intern_all(Vocabulary& vocabulary, const std::vector<std::string_view>& tokens) {
  std::vector<uint32_t> ids(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) ids[i] = vocabulary.intern(tokens[i]);
  return ids;
}

// True when str.split() and str.split(" ") give the same tokens: single spaces only, none at the ends.
bool single_spaced(std::string_view text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return false;
    if (c == ' ' && text[i + 1] == ' ') return false;
  }
  return true;
}

// Token ids of str.split(" "), reusing those of str.split() when they are the same tokens.
std::vector<uint32_t> rouge_tokens(Vocabulary& vocabulary, std::string_view text, std::vector<uint32_t>&& split_ids) {
  if (single_spaced(text)) return std::move(split_ids);
  return intern_all(vocabulary, split_single_space(text));
}

// Mean of per-study values over a sample: numpy's order for the plain corpus, weighted otherwise.
double sample_mean(const std::vector<double>& values, std::span<const uint32_t> multiplicity) {
  if (multiplicity.empty()) return numpy_mean(values);
  double sum = 0, count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += multiplicity[i] * values[i];
    count += multiplicity[i];
  }
  return count > 0 ? sum / count : 0.0;
}

}  // namespace

NlgCorpus prepare_nlg(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    fail("prepare_nlg: {} hypotheses but {} references", hypotheses.size(), references.size());
  NlgCorpus corpus;
  Vocabulary vocabulary;
  NgramIndex index;
  const size_t n = hypotheses.size();
  corpus.pairs.resize(n);
  corpus.bleu.resize(n);
  corpus.rouge_l.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto& pair = corpus.pairs[i];
    auto hyp_ids = intern_all(vocabulary, split_python_whitespace(hypotheses[i]));
    auto ref_ids = intern_all(vocabulary, split_python_whitespace(references[i]));
    pair.hypothesis = index.count(hyp_ids);
    pair.references.push_back(index.count(ref_ids));
    corpus.bleu[i] = bleu_stats(pair.hypothesis, pair.references);
    const auto hyp_tokens = rouge_tokens(vocabulary, hypotheses[i], std::move(hyp_ids));
    const auto ref_tokens = rouge_tokens(vocabulary, references[i], std::move(ref_ids));
    corpus.rouge_l[i] = rouge_l(hyp_tokens, {std::span<const uint32_t>(ref_tokens)});
  }
  corpus.ngram_count = index.size();
  return corpus;
}

NlgScores nlg_scores(const NlgCorpus& corpus, std::span<const uint32_t> multiplicity) {
  NlgScores scores;
  BleuStats total;
  for (size_t i = 0; i < corpus.bleu.size(); ++i) {
    const uint32_t w = multiplicity.empty() ? 1 : multiplicity[i];
    for (uint32_t k = 0; k < w; ++k) total += corpus.bleu[i];  // sums of integers: order is immaterial
  }
  scores.bleu = bleu_scores(total);
  scores.rouge_l = sample_mean(corpus.rouge_l, multiplicity);
  auto cider = cider_d(corpus.pairs, corpus.ngram_count, multiplicity);
  scores.cider_d = sample_mean(cider, multiplicity);
  if (multiplicity.empty()) scores.cider_d_per_study = std::move(cider);
  return scores;
}

}  // namespace saerad::eval
