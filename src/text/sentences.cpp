#include "text/sentences.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace saerad {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Words after which a period does not end a sentence (compared lowercased, without the period).
constexpr std::array<std::string_view, 12> kAbbreviations = {"vs",  "dr", "mr", "mrs", "ms",   "approx",
                                                             "fig", "no", "st", "cf",  "incl", "pt"};

// True when the period at `dot` closes an abbreviation, an enumerator or a short number.
bool period_is_not_a_boundary(std::string_view text, size_t dot) {
  size_t b = dot;
  while (b > 0 && is_alnum(text[b - 1])) --b;
  const std::string_view word = text.substr(b, dot - b);
  if (word.empty()) return false;
  if (std::all_of(word.begin(), word.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return word.size() <= 2;
  if (word.size() == 1) return true;
  std::string lower(word);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  // "no." only as in "no. 2" (a number follows); "... there is no." ends a sentence.
  if (lower == "no") {
    size_t n = dot + 1;
    while (n < text.size() && is_space(text[n])) ++n;
    return n < text.size() && std::isdigit(static_cast<unsigned char>(text[n]));
  }
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), lower) != kAbbreviations.end();
}

void push_trimmed(std::string_view text, size_t begin, size_t end, std::vector<TextSpan>& out) {
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  if (end > begin) out.push_back({begin, end});
}

}  // namespace

std::vector<TextSpan> sentence_spans(std::string_view text, SentenceOptions options) {
  std::vector<TextSpan> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' || c == '?' || c == '!') {
      // Runs of terminators ("...", "?!") end together.
      size_t j = i;
      while (j + 1 < text.size() && (text[j + 1] == '.' || text[j + 1] == '?' || text[j + 1] == '!')) ++j;
      const bool at_end = j + 1 == text.size();
      if ((at_end || is_space(text[j + 1])) && !(c == '.' && j == i && period_is_not_a_boundary(text, i))) {
        push_trimmed(text, start, j + 1, out);
        start = j + 1;
      }
      i = j;
    } else if (options.blank_line_ends_sentence && c == '\n') {
      size_t j = i + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
      if (j < text.size() && text[j] == '\n') {
        push_trimmed(text, start, i, out);
        start = j;
        i = j;
      }
    }
  }
  push_trimmed(text, start, text.size(), out);
  return out;
}

std::vector<std::string> split_sentences(std::string_view text, SentenceOptions options) {
  std::vector<std::string> out;
  for (const TextSpan& span : sentence_spans(text, options)) out.emplace_back(span.of(text));
  return out;
}

}  // namespace saerad
