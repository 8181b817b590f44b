#pragma once
// The CheXpert labeler's phrase vocabulary (MIT licence, attribution in chexpert_phrases.cpp and
// LICENSE-chexpert-labeler): which substrings mention an observation, and which overlapping substrings
// cancel a mention ("pericardial effusion" is not a pleural effusion).
#include <span>
#include <string_view>

namespace saerad {

struct PhraseEntry {
  std::string_view observation;  // one of kObservations
  std::string_view phrase;       // raw list line; '_' means a space
};

std::span<const PhraseEntry> chexpert_mention_phrases();
std::span<const PhraseEntry> chexpert_unmention_phrases();

}  // namespace saerad
