#include "interp/report_phrases.hpp"

#include <algorithm>
#include <cctype>

#include "core/strings.hpp"
#include "eval/tokenize.hpp"
#include "text/sentences.hpp"

namespace saerad {
namespace {

const std::unordered_set<std::string_view>& function_words() {
  static const std::unordered_set<std::string_view> words = {
      "a",     "an",    "the",    "and",   "or",     "but",   "of",    "in",    "on",     "at",   "to",
      "for",   "with",  "without", "by",   "from",   "as",    "is",    "are",   "was",    "were", "be",
      "been",  "being", "there",  "this",  "that",   "these", "those", "it",    "its",    "which", "has",
      "have",  "had",   "no",     "not",   "any",    "some",  "again", "also",  "again",  "seen",  "noted",
      "identified", "demonstrated", "visualized", "present", "evidence", "within", "limits", "stable", "unchanged",
      "prior", "previous", "compared", "comparison", "since", "exam", "examination", "study", "views", "view",
      "chest", "x", "ray", "radiograph", "pa", "lateral", "frontal", "s", "may", "likely", "possibly",
      "consistent", "suggest", "suggests", "suggesting", "represent", "represents", "could", "can", "than",
      "otherwise", "again", "both", "each", "left", "right", "bilateral", "bilaterally", "mild", "mildly",
      "small", "large", "minimal", "moderate", "1", "2", "3", "4", "5"};
  return words;
}

}  // namespace

bool is_function_word(std::string_view token) { return function_words().count(token) > 0; }

std::vector<std::string> word_tokens(std::string_view text) {
  std::vector<std::string> out;
  const std::string normalized = eval::normalize_default(text);  // the views below point into it
  for (auto token : eval::split_python_whitespace(normalized)) {
    std::string t(token);
    if (t.find("xxxx") != std::string::npos) continue;
    if (t.find_first_not_of("'-_") == std::string::npos) continue;
    out.push_back(std::move(t));
  }
  return out;
}

std::string display_sentence(std::string_view raw) {
  std::string s = collapse_whitespace(replace_all(std::string(raw), "XXXX", " "));
  // Leading list numbers: "1. ", "2) ".
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i < s.size() && (s[i] == '.' || s[i] == ')')) s = std::string(trim(s.substr(i + 1)));
  // Leftovers of removed tokens: " ," " ." and doubled punctuation.
  s = replace_all(replace_all(replace_all(s, " ,", ","), " .", "."), ",,", ",");
  s = std::string(trim(s));
  while (!s.empty() && (s.back() == '.' || s.back() == ',' || s.back() == ';' || s.back() == ':')) s.pop_back();
  s = std::string(trim(s));
  if (word_tokens(s).empty()) return "";
  s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
  return s + ".";
}

std::vector<std::string> report_sentences(std::string_view report) {
  std::vector<std::string> out;
  for (const auto& raw : split_sentences(report)) {
    auto s = display_sentence(raw);
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

std::unordered_set<std::string> distinct_phrases(std::string_view text) {
  std::unordered_set<std::string> out;
  // Phrases do not cross sentence boundaries.
  for (const auto& sentence : split_sentences(text)) {
    const auto tokens = word_tokens(sentence);
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (is_function_word(tokens[i]) && tokens[i] != "no") continue;
      std::string phrase;
      for (size_t n = 1; n <= size_t(kMaxPhraseWords) && i + n <= tokens.size(); ++n) {
        if (n > 1) phrase += ' ';
        phrase += tokens[i + n - 1];
        if (!is_function_word(tokens[i + n - 1])) out.insert(phrase);
      }
    }
  }
  return out;
}

void PhraseFrequencies::add(std::string_view report) {
  ++documents;
  for (const auto& phrase : distinct_phrases(report)) ++document_count[phrase];
}

int PhraseFrequencies::count(const std::string& phrase) const {
  auto it = document_count.find(phrase);
  return it == document_count.end() ? 0 : it->second;
}

double token_jaccard(std::string_view a, std::string_view b) {
  auto ta = word_tokens(a), tb = word_tokens(b);
  std::unordered_set<std::string> sa(ta.begin(), ta.end()), sb(tb.begin(), tb.end());
  if (sa.empty() && sb.empty()) return 0;
  size_t common = 0;
  for (const auto& t : sa) common += sb.count(t);
  return double(common) / double(sa.size() + sb.size() - common);
}

}  // namespace saerad
