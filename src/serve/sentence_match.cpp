#include "serve/sentence_match.hpp"

#include <algorithm>
#include <array>
#include <cctype>


namespace saerad::serve {

namespace {
constexpr std::array<std::string_view, 24> kStopWords = {
    "with", "without", "there", "this", "that", "than", "from", "which", "have", "been", "were", "also",
    "feature", "features", "fires", "images", "image", "studies", "study", "report", "reports", "seen", "noted", "into"};
}

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 4 && std::find(kStopWords.begin(), kStopWords.end(), word) == kStopWords.end() &&
        std::find(words.begin(), words.end(), word) == words.end())
      words.push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)))
      word += char(std::tolower(static_cast<unsigned char>(c)));
    else
      flush();
  }
  flush();
  return words;
}

bool sentence_matches(std::string_view sentence, const std::vector<std::string>& description_words) {
  if (description_words.empty()) return false;
  std::vector<std::string> words = content_words(sentence);
  size_t shared = 0;
  for (const auto& w : description_words)
    if (std::find(words.begin(), words.end(), w) != words.end()) ++shared;
  return shared > 0 && 2 * shared >= std::min(description_words.size(), std::max<size_t>(words.size(), 1));
}

}  // namespace saerad::serve

