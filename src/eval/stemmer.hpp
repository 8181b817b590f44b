#pragma once
// The Snowball English ("Porter2") stemmer, the stemmer Meteor 1.5 uses for its stem stage
// (https://snowballstem.org/algorithms/english/stemmer.html). Lowercase ASCII words; other bytes pass
// through as non-vowels.
#include <string>
#include <string_view>

namespace saerad::eval {

std::string porter2_stem(std::string_view word);

}  // namespace saerad::eval
