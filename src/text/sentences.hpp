#pragma once
// Sentence boundaries in report text. A sentence ends at '.', '?' or '!' followed by whitespace (or the end),
// except after enumerators and numbers of one or two digits ("1. ", "2. 5 cm"), single letters ("e. g.") and
// common abbreviations ("vs.", "dr.", "approx."). Optionally a blank line also ends a sentence (free text
// whose author omitted the full stop).
#include <string>
#include <string_view>
#include <vector>

namespace saerad {

struct TextSpan {
  size_t begin = 0, end = 0;  // byte offsets [begin, end), surrounding whitespace excluded
  std::string_view of(std::string_view text) const { return text.substr(begin, end - begin); }
};

struct SentenceOptions {
  bool blank_line_ends_sentence = false;
};

std::vector<TextSpan> sentence_spans(std::string_view text, SentenceOptions options = {});
std::vector<std::string> split_sentences(std::string_view text, SentenceOptions options = {});

}  // namespace saerad
