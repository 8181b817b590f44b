#pragma once
// Negation and uncertainty of a mention inside one sentence — the CheXpert labeler's three rule stages
// (pre-negation uncertainty, negation, post-negation uncertainty; the first that applies decides) re-expressed
// as NegEx-style triggers with scopes instead of dependency-graph patterns (there is no parser here).
//
// A trigger is a word sequence ("cannot be excluded", "no", "within normal limits"). Triggers are found left to
// right, longest first, each word used by one trigger only — so "not well visualized" (uncertain) is never read as
// "not" (negation). A trigger covers the words after it (forward), before it (backward) or both, up to its window
// of words, stopping at a sentence-internal boundary: ". ; : ( ) ? !", a conjunction that starts a new clause
// ("but", "however", "which", "there", ...), "with" for a backward or tight scope, a comma for tight triggers
// ("normal", "clear", "stable": adjectives bind to their own phrase) unless the comma separates a list
// ("the heart, mediastinum, and hila are normal"), and a verb (is, are, has, appears, ...) for forward negation
// and pre-negation uncertainty ("no effusion is seen and the heart is enlarged"; not after "not", which
// precedes verbs: "does not appear to be a pneumothorax").
// A backward scope first steps over the copula and adverbs right before its trigger ("heart size *is now*
// normal") and then stops at the next verb, so "the heart is enlarged and the lungs are normal" leaves the
// heart alone.
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace saerad {

enum class TriggerKind : uint8_t {
  PreNegationUncertainty,   // "cannot exclude", "no new", "no definite"
  Negation,                 // "no", "without", "normal", "resolved", "within normal limits"
  PostNegationUncertainty,  // "may", "possible", "or", "versus", "obscured"
  CardiacStability,         // "stable", "unchanged", "no change": uncertain for heart/mediastinal words only
  NegationContinuation,     // "to suggest": a negation when inside one's scope ("no line to suggest XXX")
  Pseudo,                   // "not only", "gram negative": look like negations, are none
};
enum class TriggerScope : uint8_t { Forward, Backward, Both };

// Trigger flags.
inline constexpr uint8_t kTight = 1;       // a comma (outside a list "A, B and C") or "with" ends the scope
inline constexpr uint8_t kStopAtVerb = 2;  // a verb ends the forward scope ("no effusion is seen and ...")
inline constexpr uint8_t kTightAfter = 4;  // tight on the forward side only ("X, Y, Z within normal limits, ...")

struct Trigger {
  std::string_view phrase;  // lowercase words separated by single spaces
  TriggerKind kind;
  TriggerScope scope;
  uint8_t window;  // words covered on each scoped side
  uint8_t flags;
};

std::span<const Trigger> negation_triggers();  // the built-in table

enum class MentionStatus : int8_t { Positive = 1, Negative = 0, Uncertain = -1 };

// One analysed sentence (cleaned, lowercase text): its tokens and the scope of every trigger in it.
struct SentenceAnalysis {
  struct Token {
    uint32_t begin, end;  // byte offsets in the sentence
    bool word;
  };
  struct FoundTrigger {
    const Trigger* trigger;
    TriggerKind kind;             // the trigger's kind, or Negation for a continuation inside a negation's scope
    uint32_t first, last;         // trigger tokens [first, last)
    uint32_t scope_lo, scope_hi;  // covered tokens before: [scope_lo, first)
    uint32_t after_lo, after_hi;  // covered tokens after: [after_lo, after_hi)
  };
  std::string_view text;
  std::vector<Token> tokens;
  std::vector<FoundTrigger> triggers;
};

class NegationDetector {
 public:
  NegationDetector();  // indexes negation_triggers()
  void analyse(std::string_view sentence, SentenceAnalysis& out) const;
  // Status of the mention at bytes [begin, end) of the analysed sentence. `always_uncertain` marks mentions the
  // labeler treats as uncertain unless negated ("vascular congestion", "indistinctness").
  MentionStatus classify(const SentenceAnalysis& sentence, size_t begin, size_t end, bool always_uncertain) const;

 private:
  struct Entry {
    const Trigger* trigger;
    std::vector<std::string_view> words;
  };
  std::unordered_map<std::string_view, std::vector<Entry>> by_first_word_;  // longest first
};

}  // namespace saerad
