#include "interp/describer_extractive.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace saerad {
namespace {

enum Polarity { kPresent = 0, kAbsent = 1 };

bool matches(const std::optional<int>& label, int polarity) {
  if (!label) return false;
  return polarity == kPresent ? (*label == 1 || *label == -1) : *label == 0;
}

// Smoothed log odds ratio of a/k against b/n.
double log_odds_ratio(double a, double k, double b, double n) {
  return std::log((a + 0.5) / (k - a + 0.5)) - std::log((b + 0.5) / (n - b + 0.5));
}

// P(X >= a) for X ~ Binomial(k, p): how surprising a shared finding is under the background rate.
double binomial_upper_tail(int a, int k, double p) {
  p = std::clamp(p, 1e-12, 1.0 - 1e-12);
  double tail = 0;
  for (int x = a; x <= k; ++x)
    tail += std::exp(std::lgamma(k + 1.0) - std::lgamma(x + 1.0) - std::lgamma(k - x + 1.0) + x * std::log(p) +
                     (k - x) * std::log1p(-p));
  return tail;
}

struct Finding {
  size_t observation;
  int polarity;
  double weight;  // log odds × support
};

struct Phrase {
  double weight;  // log odds × support
};

struct Candidate {
  std::string sentence;
  std::vector<size_t> findings;     // indices into the consistent findings it states
  std::vector<std::string> phrases; // consistent phrases it contains
  double penalty = 0;               // observations it states that the examples do not share
  int count = 0;                    // how many example reports contain it verbatim
  size_t tokens = 0;
};

}  // namespace

ExtractiveDescriber::ExtractiveDescriber(const ChexpertLabeler& labeler, const std::vector<std::string>& background_reports,
                                         const std::vector<ChexpertLabels>& background_labels, ExtractiveOptions options)
    : labeler_(labeler), options_(options) {
  if (background_reports.size() != background_labels.size())
    fail("ExtractiveDescriber: {} background reports but {} label rows", background_reports.size(),
         background_labels.size());
  std::array<std::array<int64_t, 2>, kNumObservations> counts{};
  for (size_t i = 0; i < background_reports.size(); ++i) {
    if (trim(background_reports[i]).empty()) continue;
    background_.add(background_reports[i]);
    for (size_t o = 0; o < kNumObservations; ++o)
      for (int p : {kPresent, kAbsent}) counts[o][size_t(p)] += matches(background_labels[i][o], p);
  }
  background_size_ = background_.documents;
  for (size_t o = 0; o < kNumObservations; ++o)
    for (int p : {kPresent, kAbsent})
      background_rate_[o][size_t(p)] = background_size_ ? double(counts[o][size_t(p)]) / background_size_ : 0.0;
}

Description ExtractiveDescriber::describe(const DescriberInput& input) {
  Description d;
  d.describer = name();
  d.describer_model = model();
  d.prompt_version = prompt_version();

  std::vector<int> ranks;  // example ranks with a non-empty report
  for (size_t r = 0; r < input.examples.size(); ++r)
    if (!trim(input.examples[r].report).empty()) ranks.push_back(int(r));
  const double k = double(ranks.size());
  if (int(ranks.size()) < options_.min_examples) return d;
  const double need = std::max(2.0, std::ceil(options_.min_support * k - 1e-9));
  const double n = std::max(1, background_size_);

  // Labeler findings shared by the examples more than by the background. "No Finding" is left to the
  // absent observations it implies.
  std::vector<ChexpertLabels> labels;
  for (int r : ranks) labels.push_back(labeler_.label(input.examples[size_t(r)].report));
  std::vector<Finding> findings;
  for (size_t o = 0; o < kNumObservations; ++o) {
    if (kObservations[o] == "No Finding") continue;
    for (int p : {kPresent, kAbsent}) {
      double a = 0;
      for (const auto& l : labels) a += matches(l[o], p);
      if (a < need) continue;
      const double lo = log_odds_ratio(a, k, background_rate_[o][size_t(p)] * n, n);
      if (lo >= options_.min_log_odds &&
          binomial_upper_tail(int(a), int(k), background_rate_[o][size_t(p)]) <= options_.max_p_value)
        findings.push_back({o, p, lo * a / k});
    }
  }

  // Distinctive phrases.
  std::map<std::string, int> phrase_reports;
  std::vector<std::unordered_set<std::string>> example_phrases;
  for (int r : ranks) {
    example_phrases.push_back(distinct_phrases(input.examples[size_t(r)].report));
    for (const auto& p : example_phrases.back()) ++phrase_reports[p];
  }
  std::map<std::string, Phrase> phrases;
  for (const auto& [phrase, a] : phrase_reports) {
    if (a < need) continue;
    const double b = background_.count(phrase);
    const double lo = log_odds_ratio(a, k, b, n);
    if (lo >= options_.min_log_odds && binomial_upper_tail(a, int(k), (b + 0.5) / (n + 1.0)) <= options_.max_p_value)
      phrases[phrase] = {lo * a / k};
  }
  if (findings.empty() && phrases.empty()) return d;

  // Candidate sentences: every example sentence, with what it states of the shared findings and phrases.
  std::map<std::string, Candidate> candidates;
  for (int r : ranks)
    for (const auto& sentence : report_sentences(input.examples[size_t(r)].report)) {
      auto [it, fresh] = candidates.try_emplace(sentence);
      Candidate& c = it->second;
      ++c.count;
      if (!fresh) continue;
      c.sentence = sentence;
      c.tokens = word_tokens(sentence).size();
      const ChexpertLabels sentence_labels = labeler_.label(sentence);
      for (size_t o = 0; o < kNumObservations; ++o) {
        if (!sentence_labels[o] || kObservations[o] == "No Finding") continue;
        bool shared = false;
        for (size_t f = 0; f < findings.size(); ++f)
          if (findings[f].observation == o && matches(sentence_labels[o], findings[f].polarity)) {
            c.findings.push_back(f);
            shared = true;
          }
        if (!shared) c.penalty += 1.0;
      }
      for (const auto& p : distinct_phrases(sentence))
        if (phrases.count(p)) c.phrases.push_back(p);
    }

  std::set<size_t> covered_findings;
  std::set<std::string> covered_phrases;
  auto score = [&](const Candidate& c) {
    double s = -c.penalty;
    for (size_t f : c.findings)
      if (!covered_findings.count(f)) s += findings[f].weight;
    for (const auto& p : c.phrases)
      if (!covered_phrases.count(p)) s += phrases[p].weight;
    // Prefer sentences the examples repeat, and concise ones.
    s *= 1.0 + 0.1 * double(c.count - 1);
    return s / (1.0 + 0.05 * double(std::max<size_t>(c.tokens, 8) - 8));
  };

  std::vector<const Candidate*> chosen;
  double first_score = 0;
  for (int round = 0; round < options_.max_sentences; ++round) {
    const Candidate* best = nullptr;
    double best_score = 0;
    for (const auto& [text, c] : candidates) {  // std::map: ties resolve alphabetically, deterministically
      bool duplicate = false;
      for (const auto* prior : chosen)
        duplicate |= token_jaccard(prior->sentence, c.sentence) > options_.max_sentence_overlap;
      if (duplicate) continue;
      const double s = score(c);
      if (s > best_score) {
        best = &c;
        best_score = s;
      }
    }
    if (!best || (round > 0 && best_score < 0.5 * first_score)) break;
    if (round == 0) first_score = best_score;
    chosen.push_back(best);
    covered_findings.insert(best->findings.begin(), best->findings.end());
    covered_phrases.insert(best->phrases.begin(), best->phrases.end());
  }
  if (chosen.empty()) return d;

  d.interpretable = true;
  for (const auto* c : chosen) d.description += (d.description.empty() ? "" : " ") + c->sentence;
  // Evidence: the examples that state what the chosen sentences state — by their labels where the sentences
  // state labelled findings (phrases ignore negation: "no pleural effusion" contains "pleural effusion").
  for (size_t i = 0; i < ranks.size(); ++i) {
    bool supports = false;
    for (size_t f : covered_findings) supports |= matches(labels[i][findings[f].observation], findings[f].polarity);
    if (covered_findings.empty())
      for (const auto& p : covered_phrases) supports |= example_phrases[i].count(p) > 0;
    if (supports) d.evidence.push_back(ranks[i]);
  }
  return d;
}

}  // namespace saerad
