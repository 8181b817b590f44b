#pragma once
// Report text as the extractive describer and the description judge see it: tidy display sentences
// (de-identification tokens like "XXXX" and list numbers removed, capitalised, one final full stop),
// lowercase word tokens, and the distinctive n-grams of a text (1..3 words that neither start nor end with
// a function word). One place, so the describer, its scoring and the background statistics agree.
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace saerad {

// "1. there is XXXX small left effusion" → "There is small left effusion." ("" when nothing is left).
std::string display_sentence(std::string_view raw);
// The display sentences of a report (sentence split, tidied, empty ones dropped).
std::vector<std::string> report_sentences(std::string_view report);

// Lowercase word tokens ([a-z0-9'-]+ runs of the default tokenizer), "xxxx" dropped.
std::vector<std::string> word_tokens(std::string_view text);
bool is_function_word(std::string_view token);

inline constexpr int kMaxPhraseWords = 3;
// The distinct n-grams (n = 1..kMaxPhraseWords, joined by spaces) of a text that neither start nor end with
// a function word ("no" may start one: "no pleural effusion" keeps its negation).
std::unordered_set<std::string> distinct_phrases(std::string_view text);

// Document frequencies of phrases over a corpus of reports.
struct PhraseFrequencies {
  std::unordered_map<std::string, int> document_count;
  int documents = 0;
  void add(std::string_view report);
  int count(const std::string& phrase) const;
};

// Jaccard similarity of the word-token sets of two texts (0 when both are empty).
double token_jaccard(std::string_view a, std::string_view b);

}  // namespace saerad
