#pragma once
// meteor_approx: an approximation of METEOR 1.5 (Denkowski & Lavie 2014) as pycocoevalcap runs it
// (`java -jar meteor-1.5.jar - - -stdio -l en -norm`), without Java and without WordNet/paraphrase tables.
//
// Kept from Meteor 1.5, English, task "rank" (the parameters the jar prints for -l en -norm):
//   alpha = 0.85, beta = 0.20, gamma = 0.60, delta = 0.75; stage weights exact 1.0, stem 0.6;
//   Meteor's 93 English function words (function/english.words in the jar; LGPL, listed in meteor.cpp);
//   the Snowball English stemmer; P and R weighting content words by delta and function words by 1−delta;
//   Fmean = P·R / (alpha·P + (1−alpha)·R); fragmentation penalty gamma·(chunks/matches)^beta, 0 when every
//   word of both sides matches in one chunk; corpus score from the summed statistics of all segments (the
//   jar's EVAL line, which pycocoevalcap reports), not the mean of segment scores.
// Approximated: the synonym (weight 0.8) and paraphrase (0.6) stages are dropped; the alignment is greedy
// (longest run of matching words first, exact stage then stem stage) where Meteor runs a beam search
// minimising chunks; -norm's tokenization is approximated by meteor_tokens(). The error against the jar is
// measured in tests/eval/test_meteor_jar_slow.cpp (IU X-Ray findings vs impressions).
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace saerad::eval {

struct MeteorParameters {
  double alpha = 0.85, beta = 0.20, gamma = 0.60, delta = 0.75;
  std::array<double, 2> stage_weights = {1.0, 0.6};  // exact, stem
};

// Meteor's per-segment statistics; they add up over a corpus.
struct MeteorStats {
  double test_length = 0, reference_length = 0, test_function_words = 0, reference_function_words = 0;
  std::array<double, 2> test_content{}, test_function{}, reference_content{}, reference_function{};  // per stage
  double matches = 0, chunks = 0;  // matched words (each side; one-to-one), chunks of the alignment
  MeteorStats& operator+=(const MeteorStats& other);
};

// -norm approximation: lowercase, punctuation split off as tokens (. and , kept inside numbers), clitics
// split at the apostrophe ("patient's" → "patient 's").
std::vector<std::string> meteor_tokens(std::string_view text);
bool is_meteor_function_word(std::string_view token);

MeteorStats meteor_stats(const std::vector<std::string>& hypothesis, const std::vector<std::string>& reference);
double meteor_score(const MeteorStats& stats, const MeteorParameters& parameters = {});

// Statistics of every (hypothesis, reference) pair of a corpus (texts as given to meteor_tokens()); each
// distinct word is stemmed once.
std::vector<MeteorStats> meteor_corpus_stats(const std::vector<std::string>& hypotheses,
                                             const std::vector<std::string>& references);

}  // namespace saerad::eval
