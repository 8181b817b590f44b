#include "eval/meteor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include "core/threads.hpp"
#include "eval/stemmer.hpp"

namespace saerad::eval {
namespace {

// function/english.words of meteor-1.5.jar (Meteor is LGPL 2.1; Denkowski & Lavie, CMU).
const std::unordered_set<std::string_view>& function_words() {
  static const std::unordered_set<std::string_view> words = {
      "the", ",", ".", "to", "of", "and", "a", "in", "that", "for", "\"", "is", "on", "'s", "it", "with",
      "was", "as", "said", "at", "he", "by", "be", "from", "have", "has", "are", "his", "but", "an", "this",
      "not", "i", "will", "\u2019", "they", ")", "-rrb-", "(", "-lrb-", "who", "their", "had", "we", "which",
      "were", "been", "more", "or", "s", "its", "would", "about", "new", "one", "after", "you", ":", "also",
      "up", "when", "there", "than", "$", "all", "out", "her", "people", "she", "year", "two", "-", "can",
      "if", "last", "first", "\u201c", "over", "other", "\u201d", "into", "some", "what", "so", "--", "no",
      "time", "years", "could", "?", "'t", "\u2014", "'"};
  return words;
}

bool is_split_punctuation(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && std::ispunct(u) && c != '\'' && c != '-' && c != '.' && c != ',';
}

// One alignment stage: pairs words whose keys are equal (and both unaligned), longest run first, ties
// broken by the smaller position distance, then the earlier hypothesis position.
void align_stage(const std::vector<uint32_t>& hyp, const std::vector<uint32_t>& ref, std::vector<int>& hyp_to_ref,
                 std::vector<int>& ref_to_hyp, std::vector<uint8_t>& hyp_stage, uint8_t stage) {
  const size_t n = hyp.size(), m = ref.size();
  std::vector<uint32_t> run((n + 1) * (m + 1));
  while (true) {
    // run[i][j]: length of the run of free, equal pairs starting at (i, j).
    size_t best_len = 0, best_i = 0, best_j = 0, best_dist = 0;
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        uint32_t len = 0;
        if (hyp_to_ref[i] < 0 && ref_to_hyp[j] < 0 && hyp[i] == ref[j]) len = run[(i + 1) * (m + 1) + j + 1] + 1;
        run[i * (m + 1) + j] = len;
        if (len == 0) continue;
        const size_t dist = i > j ? i - j : j - i;
        if (len > best_len || (len == best_len && (dist < best_dist || (dist == best_dist && i <= best_i)))) {
          best_len = len;
          best_i = i;
          best_j = j;
          best_dist = dist;
        }
      }
    }
    if (best_len == 0) return;
    for (size_t k = 0; k < best_len; ++k) {
      hyp_to_ref[best_i + k] = static_cast<int>(best_j + k);
      ref_to_hyp[best_j + k] = static_cast<int>(best_i + k);
      hyp_stage[best_i + k] = stage;
    }
  }
}

}  // namespace

MeteorStats& MeteorStats::operator+=(const MeteorStats& o) {
  test_length += o.test_length;
  reference_length += o.reference_length;
  test_function_words += o.test_function_words;
  reference_function_words += o.reference_function_words;
  for (size_t s = 0; s < 2; ++s) {
    test_content[s] += o.test_content[s];
    test_function[s] += o.test_function[s];
    reference_content[s] += o.reference_content[s];
    reference_function[s] += o.reference_function[s];
  }
  matches += o.matches;
  chunks += o.chunks;
  return *this;
}

bool is_meteor_function_word(std::string_view token) { return function_words().count(token) > 0; }

std::vector<std::string> meteor_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    const size_t apostrophe = current.find('\'');
    if (apostrophe != std::string::npos && apostrophe > 0) {  // clitic: "patient's" → "patient" "'s"
      tokens.push_back(current.substr(0, apostrophe));
      tokens.push_back(current.substr(apostrophe));
    } else {
      tokens.push_back(current);
    }
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      flush();
    } else if (is_split_punctuation(c) || ((c == '.' || c == ',') && !(i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                                                                        i + 1 < text.size() &&
                                                                        std::isdigit(static_cast<unsigned char>(text[i + 1]))))) {
      flush();
      tokens.emplace_back(1, c);
    } else {
      current.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
  }
  flush();
  return tokens;
}

namespace {

// A tokenized text as the aligner sees it: word ids, stem ids and function-word flags.
struct MeteorText {
  std::vector<uint32_t> words, stems;
  std::vector<uint8_t> function;
};

class MeteorVocabulary {
 public:
  MeteorText encode(const std::vector<std::string>& tokens) {
    MeteorText t;
    for (const auto& token : tokens) {
      auto [it, inserted] = word_ids_.try_emplace(token, static_cast<uint32_t>(word_ids_.size()));
      if (inserted) {
        auto [stem, new_stem] = stem_ids_.try_emplace(porter2_stem(token), static_cast<uint32_t>(stem_ids_.size()));
        stem_of_.push_back(stem->second);
        function_.push_back(is_meteor_function_word(token));
      }
      t.words.push_back(it->second);
      t.stems.push_back(stem_of_[it->second]);
      t.function.push_back(function_[it->second]);
    }
    return t;
  }

 private:
  std::unordered_map<std::string, uint32_t> word_ids_, stem_ids_;
  std::vector<uint32_t> stem_of_;
  std::vector<uint8_t> function_;
};

MeteorStats align_and_count(const MeteorText& hyp, const MeteorText& ref) {
  MeteorStats s;
  const size_t n = hyp.words.size(), m = ref.words.size();
  s.test_length = static_cast<double>(n);
  s.reference_length = static_cast<double>(m);
  for (uint8_t f : hyp.function) s.test_function_words += f;
  for (uint8_t f : ref.function) s.reference_function_words += f;
  std::vector<int> hyp_to_ref(n, -1), ref_to_hyp(m, -1);
  std::vector<uint8_t> hyp_stage(n, 0);
  align_stage(hyp.words, ref.words, hyp_to_ref, ref_to_hyp, hyp_stage, 0);
  align_stage(hyp.stems, ref.stems, hyp_to_ref, ref_to_hyp, hyp_stage, 1);
  int previous_ref = -2;
  bool previous_matched = false;
  for (size_t i = 0; i < n; ++i) {
    const int j = hyp_to_ref[i];
    if (j < 0) {
      previous_matched = false;
      continue;
    }
    const uint8_t stage = hyp_stage[i];
    (hyp.function[i] ? s.test_function : s.test_content)[stage] += 1;
    (ref.function[j] ? s.reference_function : s.reference_content)[stage] += 1;
    s.matches += 1;
    if (!(previous_matched && j == previous_ref + 1)) s.chunks += 1;
    previous_ref = j;
    previous_matched = true;
  }
  return s;
}

}  // namespace

MeteorStats meteor_stats(const std::vector<std::string>& hypothesis, const std::vector<std::string>& reference) {
  MeteorVocabulary vocabulary;
  const MeteorText hyp = vocabulary.encode(hypothesis);
  const MeteorText ref = vocabulary.encode(reference);
  return align_and_count(hyp, ref);
}

std::vector<MeteorStats> meteor_corpus_stats(const std::vector<std::string>& hypotheses,
                                             const std::vector<std::string>& references) {
  MeteorVocabulary vocabulary;
  std::vector<MeteorText> hyps, refs;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    hyps.push_back(vocabulary.encode(meteor_tokens(hypotheses[i])));
    refs.push_back(vocabulary.encode(meteor_tokens(references[i])));
  }
  std::vector<MeteorStats> stats(hyps.size());
#pragma omp parallel for schedule(dynamic, 64) num_threads(thread_count())
  for (size_t i = 0; i < hyps.size(); ++i) stats[i] = align_and_count(hyps[i], refs[i]);
  return stats;
}

double meteor_score(const MeteorStats& s, const MeteorParameters& p) {
  const double test_weighted_length =
      p.delta * (s.test_length - s.test_function_words) + (1 - p.delta) * s.test_function_words;
  const double reference_weighted_length =
      p.delta * (s.reference_length - s.reference_function_words) + (1 - p.delta) * s.reference_function_words;
  double test_weighted = 0, reference_weighted = 0;
  for (size_t k = 0; k < 2; ++k) {
    test_weighted += p.stage_weights[k] * (p.delta * s.test_content[k] + (1 - p.delta) * s.test_function[k]);
    reference_weighted +=
        p.stage_weights[k] * (p.delta * s.reference_content[k] + (1 - p.delta) * s.reference_function[k]);
  }
  const double precision = test_weighted_length > 0 ? test_weighted / test_weighted_length : 0.0;
  const double recall = reference_weighted_length > 0 ? reference_weighted / reference_weighted_length : 0.0;
  const double fmean = 1.0 / ((1 - p.alpha) / precision + p.alpha / recall);
  const bool perfect = s.matches == s.test_length && s.matches == s.reference_length && s.chunks == 1;
  const double fragmentation = perfect ? 0.0 : s.chunks / s.matches;
  const double score = fmean * (1 - p.gamma * std::pow(fragmentation, p.beta));
  return std::isnan(score) ? 0.0 : std::max(score, 0.0);
}

}  // namespace saerad::eval
