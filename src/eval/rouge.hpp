#pragma once
// ROUGE-L as pycocoevalcap's Rouge computes it: the longest common subsequence of the tokens (the text split
// on single spaces), precision and recall maximised over the references, F with beta = 1.2; the corpus
// score is the mean over reports.
#include <cstdint>
#include <span>
#include <vector>

namespace saerad::eval {

// Length of the longest common subsequence (O(|a|·|b|) time, O(min) memory).
uint32_t lcs_length(std::span<const uint32_t> a, std::span<const uint32_t> b);

double rouge_l(std::span<const uint32_t> candidate, const std::vector<std::span<const uint32_t>>& references);

}  // namespace saerad::eval
