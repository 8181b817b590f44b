#pragma once
// Which sentences of a report a feature's description speaks about, for highlighting on the feature page:
// a sentence matches when it contains at least half of the description's content words (lower-cased,
// four letters or more, minus a short stop list) — the same words a reader scans for.
#include <string>
#include <string_view>
#include <vector>

namespace saerad::serve {

std::vector<std::string> content_words(std::string_view text);
bool sentence_matches(std::string_view sentence, const std::vector<std::string>& description_words);

}  // namespace saerad::serve

