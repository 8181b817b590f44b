#include "eval/stemmer.hpp"

#include <array>
#include <utility>

namespace saerad::eval {
namespace {

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

bool ends_with(const std::string& w, std::string_view s) {
  return w.size() >= s.size() && std::string_view(w).substr(w.size() - s.size()) == s;
}

// The word up to `end` ends in a short syllable (Snowball's shortv).
bool short_syllable_at(const std::string& w, size_t end) {
  if (end >= 3 && !is_vowel(w[end - 1]) && w[end - 1] != 'w' && w[end - 1] != 'x' && w[end - 1] != 'Y' &&
      is_vowel(w[end - 2]) && !is_vowel(w[end - 3]))
    return true;
  return end == 2 && is_vowel(w[0]) && !is_vowel(w[1]);
}

bool has_vowel(const std::string& w, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i)
    if (is_vowel(w[i])) return true;
  return false;
}

// Position after the first non-vowel that follows a vowel, searching from `from`; w.size() if none.
size_t region_start(const std::string& w, size_t from) {
  size_t i = from;
  while (i < w.size() && !is_vowel(w[i])) ++i;
  while (i < w.size() && is_vowel(w[i])) ++i;
  return i < w.size() ? i + 1 : w.size();
}

struct Rule {
  std::string_view suffix, replacement;
};

// Longest suffix of `w` among `rules`; nullptr if none.
template <size_t N>
const Rule* longest(const std::string& w, const std::array<Rule, N>& rules) {
  const Rule* best = nullptr;
  for (const auto& r : rules)
    if (ends_with(w, r.suffix) && (!best || r.suffix.size() > best->suffix.size())) best = &r;
  return best;
}

void replace_suffix(std::string& w, size_t suffix_length, std::string_view replacement) {
  w.resize(w.size() - suffix_length);
  w += replacement;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kException1 = {{
    {"skis", "ski"}, {"skies", "sky"}, {"dying", "die"}, {"lying", "lie"}, {"tying", "tie"}, {"idly", "idl"},
    {"gently", "gentl"}, {"ugly", "ugli"}, {"early", "earli"}, {"only", "onli"}, {"singly", "singl"},
    {"sky", "sky"}, {"news", "news"}, {"howe", "howe"}, {"atlas", "atlas"}, {"cosmos", "cosmos"},
    {"bias", "bias"}, {"andes", "andes"}}};
constexpr std::array<std::string_view, 8> kException2 = {"inning", "outing", "canning", "herring",
                                                         "earring", "proceed", "exceed", "succeed"};

constexpr std::array<Rule, 24> kStep2 = {{{"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"abli", "able"},
                                         {"entli", "ent"}, {"izer", "ize"}, {"ization", "ize"}, {"ational", "ate"},
                                         {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"aliti", "al"},
                                         {"alli", "al"}, {"fulness", "ful"}, {"ousli", "ous"}, {"ousness", "ous"},
                                         {"iveness", "ive"}, {"iviti", "ive"}, {"biliti", "ble"}, {"bli", "ble"},
                                         {"ogi", "og"}, {"fulli", "ful"}, {"lessli", "less"}, {"li", ""}}};
constexpr std::array<Rule, 9> kStep3 = {{{"tional", "tion"}, {"ational", "ate"}, {"alize", "al"}, {"icate", "ic"},
                                        {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""}, {"ness", ""}, {"ative", ""}}};
constexpr std::array<Rule, 18> kStep4 = {{{"al", ""}, {"ance", ""}, {"ence", ""}, {"er", ""}, {"ic", ""},
                                         {"able", ""}, {"ible", ""}, {"ant", ""}, {"ement", ""}, {"ment", ""},
                                         {"ent", ""}, {"ism", ""}, {"ate", ""}, {"iti", ""}, {"ous", ""},
                                         {"ive", ""}, {"ize", ""}, {"ion", ""}}};

void step_1a(std::string& w) {
  for (std::string_view s : {"'s'", "'s", "'"})
    if (ends_with(w, s)) {
      w.resize(w.size() - s.size());
      break;
    }
  if (ends_with(w, "sses")) {
    replace_suffix(w, 4, "ss");
  } else if (ends_with(w, "ied") || ends_with(w, "ies")) {
    replace_suffix(w, 3, w.size() > 4 ? "i" : "ie");
  } else if (ends_with(w, "us") || ends_with(w, "ss")) {
  } else if (ends_with(w, "s")) {
    // Delete when a vowel occurs before the letter preceding the s (gaps → gap, gas stays).
    if (w.size() >= 3 && has_vowel(w, 0, w.size() - 2)) w.pop_back();
  }
}

void step_1b(std::string& w, size_t p1) {
  static constexpr std::array<std::string_view, 6> suffixes = {"eedly", "ingly", "edly", "eed", "ing", "ed"};
  std::string_view found;
  for (auto s : suffixes)  // listed longest first
    if (ends_with(w, s)) {
      found = s;
      break;
    }
  if (found.empty()) return;
  const size_t start = w.size() - found.size();
  if (found == "eed" || found == "eedly") {
    if (start >= p1) replace_suffix(w, found.size(), "ee");
    return;
  }
  if (!has_vowel(w, 0, start)) return;
  w.resize(start);
  if (ends_with(w, "at") || ends_with(w, "bl") || ends_with(w, "iz")) {
    w += 'e';
  } else if (w.size() >= 2 && w[w.size() - 1] == w[w.size() - 2] &&
             std::string_view("bdfgmnprt").find(w.back()) != std::string_view::npos) {
    w.pop_back();
  } else if (w.size() == p1 && short_syllable_at(w, w.size())) {
    w += 'e';
  }
}

void step_1c(std::string& w) {
  if (w.size() > 2 && (w.back() == 'y' || w.back() == 'Y') && !is_vowel(w[w.size() - 2])) w.back() = 'i';
}

template <size_t N>
void suffix_step(std::string& w, const std::array<Rule, N>& rules, size_t region, size_t p2, int step) {
  const Rule* r = longest(w, rules);
  if (!r) return;
  const size_t start = w.size() - r->suffix.size();
  if (start < region) return;
  if (step == 2 && r->suffix == "ogi" && !(start > 0 && w[start - 1] == 'l')) return;
  if (step == 2 && r->suffix == "li" &&
      !(start > 0 && std::string_view("cdeghkmnrt").find(w[start - 1]) != std::string_view::npos))
    return;
  if (step == 3 && r->suffix == "ative" && start < p2) return;
  if (step == 4 && r->suffix == "ion" && !(start > 0 && (w[start - 1] == 's' || w[start - 1] == 't'))) return;
  replace_suffix(w, r->suffix.size(), r->replacement);
}

void step_5(std::string& w, size_t p1, size_t p2) {
  if (w.empty()) return;
  const size_t start = w.size() - 1;
  if (w.back() == 'e') {
    if (start >= p2 || (start >= p1 && !short_syllable_at(w, start))) w.pop_back();
  } else if (w.back() == 'l') {
    if (start >= p2 && start > 0 && w[start - 1] == 'l') w.pop_back();
  }
}

}  // namespace

std::string porter2_stem(std::string_view input) {
  for (const auto& [word, stem] : kException1)
    if (input == word) return std::string(stem);
  std::string w(input);
  if (w.size() < 3) return w;
  if (w.front() == '\'') w.erase(0, 1);
  // Prelude: y at the start or after a vowel is a consonant (Y).
  for (size_t i = 0; i < w.size(); ++i)
    if (w[i] == 'y' && (i == 0 || is_vowel(w[i - 1]))) w[i] = 'Y';
  size_t p1 = w.size();
  bool special = false;
  for (std::string_view prefix : {"gener", "commun", "arsen"})
    if (w.size() >= prefix.size() && std::string_view(w).substr(0, prefix.size()) == prefix) {
      p1 = prefix.size();
      special = true;
    }
  if (!special) p1 = region_start(w, 0);
  const size_t p2 = region_start(w, p1);

  step_1a(w);
  for (auto e : kException2)
    if (w == e) return w;
  step_1b(w, p1);
  step_1c(w);
  suffix_step(w, kStep2, p1, p2, 2);
  suffix_step(w, kStep3, p1, p2, 3);
  suffix_step(w, kStep4, p2, p2, 4);
  step_5(w, p1, p2);
  for (char& c : w)
    if (c == 'Y') c = 'y';
  return w;
}

}  // namespace saerad::eval
