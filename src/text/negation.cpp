#include "text/negation.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace saerad {

namespace {

using K = TriggerKind;
using S = TriggerScope;

// Each entry cites the CheXpert pattern (patterns/*.txt) it stands for where the mapping is not obvious.
constexpr Trigger kTriggers[] = {
    // --- pre-negation uncertainty (matched first) ---
    {"cannot exclude", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"can not exclude", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"can't exclude", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"cannot be excluded", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"can not be excluded", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"could not be excluded", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"not be excluded", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"not excluded", K::PreNegationUncertainty, S::Backward, 8, 0},  // "XXX is not excluded"
    {"cannot rule out", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"can not rule out", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"can't rule out", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"cannot be ruled out", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"can not be ruled out", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"could not be ruled out", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"not be ruled out", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"not ruled out", K::PreNegationUncertainty, S::Backward, 8, 0},
    {"no evidence to rule out", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},
    {"no new", K::PreNegationUncertainty, S::Forward, 10, kStopAtVerb},  // "no new XXX", "no new area of XXX"

    // --- negation ---
    {"no", K::Negation, S::Forward, 14, kStopAtVerb},  // "no XXX", "there is no XXX", "no evidence of XXX"
    {"not", K::Negation, S::Forward, 14, 0},
    {"without", K::Negation, S::Forward, 14, kStopAtVerb},  // "without XXX", "without evidence of XXX"
    // The labeler's pre-negation rules read "no definite XXX" and "no obvious XXX" as uncertain. We read them
    // as negations, as NegEx and radiologists do: on IU X-Ray the uncertain reading turns ~90 reports whose
    // MeSH codes have no effusion into false effusions (MeSH-agreement F1 0.69 instead of 0.88).
    {"no definite", K::Negation, S::Forward, 14, kStopAtVerb},
    {"no obvious", K::Negation, S::Forward, 14, kStopAtVerb},
    {"no definitive", K::Negation, S::Forward, 14, kStopAtVerb},
    {"no longer", K::Negation, S::Both, 8, kStopAtVerb},  // "XXX is no longer seen"
    {"negative for", K::Negation, S::Forward, 10, kStopAtVerb},
    {"free of", K::Negation, S::Forward, 10, kStopAtVerb},
    {"clear of", K::Negation, S::Forward, 10, kStopAtVerb},
    {"clearing of", K::Negation, S::Forward, 10, kStopAtVerb},
    {"absence of", K::Negation, S::Forward, 10, kStopAtVerb},
    {"absent", K::Negation, S::Backward, 8, 0},                // "XXX is absent"
    {"rather than", K::Negation, S::Forward, 6, kStopAtVerb},  // conj:negcc
    {"resolution of", K::Negation, S::Forward, 8, kStopAtVerb},
    {"resolution", K::Negation, S::Backward, 6, kTight},      // "XXX with interval resolution"
    {"resolved", K::Negation, S::Backward, 8, 0},             // "XXX has resolved"
    {"history of", K::Negation, S::Forward, 6, kStopAtVerb},  // nmod:of history|free|disappearance|...
    {"disappearance of", K::Negation, S::Forward, 8, kStopAtVerb},
    {"drainage of", K::Negation, S::Forward, 8, kStopAtVerb},
    {"removal of", K::Negation, S::Forward, 8, kStopAtVerb},
    {"removed", K::Negation, S::Both, 6, kStopAtVerb},  // "XXX removed", "removed XXX"
    {"exclude", K::Negation, S::Forward, 10, kStopAtVerb},
    {"excludes", K::Negation, S::Forward, 10, kStopAtVerb},
    {"excluding", K::Negation, S::Forward, 10, kStopAtVerb},
    {"excluded", K::Negation, S::Backward, 8, 0},
    {"rule out", K::Negation, S::Forward, 10, kStopAtVerb},  // nmod:out rule
    {"rules out", K::Negation, S::Forward, 10, kStopAtVerb},
    {"ruled out", K::Negation, S::Backward, 8, 0},
    {"not enlarged", K::Negation, S::Backward, 8, 0},  // "XXX is not enlarged"
    {"not significantly enlarged", K::Negation, S::Backward, 8, 0},
    // "no NN to suggest/explain XXX": continues a negation whose scope it lies in.
    {"to suggest", K::NegationContinuation, S::Forward, 10, 0},
    {"to explain", K::NegationContinuation, S::Forward, 10, 0},
    {"to indicate", K::NegationContinuation, S::Forward, 10, 0},
    // "XXX is not seen": the natural reading, not a CheXpert pattern (the dependency rules only see
    // "no longer seen"); stated in docs so nobody mistakes it for the original's behaviour.
    {"not seen", K::Negation, S::Backward, 8, 0},
    {"not identified", K::Negation, S::Backward, 8, 0},
    {"not present", K::Negation, S::Backward, 8, 0},
    {"not demonstrated", K::Negation, S::Backward, 8, 0},
    {"not noted", K::Negation, S::Backward, 8, 0},
    {"not evident", K::Negation, S::Backward, 8, 0},
    {"not visible", K::Negation, S::Backward, 8, 0},
    {"not detected", K::Negation, S::Backward, 8, 0},
    {"not apparent", K::Negation, S::Backward, 8, 0},
    {"not observed", K::Negation, S::Backward, 8, 0},
    {"previously demonstrated", K::Negation, S::Backward, 8, 0},
    {"previously visualized", K::Negation, S::Backward, 8, 0},
    {"within normal limits", K::Negation, S::Both, 8, kTightAfter | kStopAtVerb},
    {"within normal limit", K::Negation, S::Both, 8, kTightAfter | kStopAtVerb},
    {"within the normal limits", K::Negation, S::Both, 8, kTightAfter | kStopAtVerb},
    {"within normal range", K::Negation, S::Both, 8, kTightAfter | kStopAtVerb},
    {"upper limits of normal", K::Negation, S::Backward, 8, 0},
    {"upper limit of normal", K::Negation, S::Backward, 8, 0},
    {"upper limits normal", K::Negation, S::Backward, 8, 0},
    {"upper normal", K::Negation, S::Backward, 8, 0},
    {"upper limit normal", K::Negation, S::Backward, 8, 0},
    {"top normal", K::Negation, S::Backward, 8, 0},
    {"top normal limits", K::Negation, S::Backward, 8, 0},
    {"top limits of normal", K::Negation, S::Backward, 8, 0},
    {"within limits of normal", K::Negation, S::Both, 8, kTightAfter | kStopAtVerb},
    {"limits of normal", K::Negation, S::Backward, 8, 0},
    {"normal", K::Negation, S::Both, 7, kTight | kStopAtVerb},  // "normal XXX", "XXX is normal"
    {"unremarkable", K::Negation, S::Both, 7, kTight | kStopAtVerb},
    {"clear", K::Negation, S::Both, 3, kTight | kStopAtVerb},  // "XXX has cleared", "cleared XXX"
    {"cleared", K::Negation, S::Both, 3, kTight | kStopAtVerb},
    {"clearing", K::Negation, S::Both, 3, kTight | kStopAtVerb},

    // --- post-negation uncertainty ---
    {"possible", K::PostNegationUncertainty, S::Both, 8, 0},
    {"possibly", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"presumably", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"presumed", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"probable", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"questionable", K::PostNegationUncertainty, S::Both, 8, 0},
    {"question", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"suspect", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"suspected", K::PostNegationUncertainty, S::Both, 8, 0},
    {"suspicious", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"suspicion", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"suggestion of", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"concern for", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"concerning for", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"worrisome for", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"favor", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"favored", K::PostNegationUncertainty, S::Backward, 8, 0},
    {"consider", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"considered", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"may", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"might", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"would", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"could", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"maybe", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"cannot", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"secondary to", K::PostNegationUncertainty, S::Forward, 6, 0},
    {"compatible with", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"differential diagnosis", K::PostNegationUncertainty, S::Forward, 10, 0},
    {"differential", K::PostNegationUncertainty, S::Forward, 10, 0},
    {"correlate clinically for", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"correlation for", K::PostNegationUncertainty, S::Forward, 8, 0},
    {"less likely", K::PostNegationUncertainty, S::Both, 8, 0},
    {"versus", K::PostNegationUncertainty, S::Both, 4, 0},  // conj:versus
    {"vs", K::PostNegationUncertainty, S::Both, 4, 0},
    {"or", K::PostNegationUncertainty, S::Both, 3, 0},  // conj:or — "atelectasis or consolidation"
    {"borderline", K::PostNegationUncertainty, S::Both, 4, kTight},
    {"poorly evaluated", K::PostNegationUncertainty, S::Both, 6, 0},
    {"incompletely evaluated", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not well evaluated", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not well visualized", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not well seen", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not evaluated", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not visualized", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not clearly seen", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not clearly visualized", K::PostNegationUncertainty, S::Both, 6, 0},
    {"not appreciated", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"obscure", K::PostNegationUncertainty, S::Both, 6, 0},
    {"obscures", K::PostNegationUncertainty, S::Both, 6, 0},
    {"obscured", K::PostNegationUncertainty, S::Both, 6, 0},
    {"obscuring", K::PostNegationUncertainty, S::Both, 6, 0},
    {"could appear", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"may appear", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"might appear", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"may be present", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"could be present", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"might be present", K::PostNegationUncertainty, S::Backward, 6, 0},
    {"can be present", K::PostNegationUncertainty, S::Backward, 6, 0},

    // --- heart and mediastinum "stable / unchanged / similar to prior" (uncertain for those words only) ---
    {"stable", K::CardiacStability, S::Both, 6, kTight},
    {"unchanged", K::CardiacStability, S::Both, 6, kTight},
    {"no change", K::CardiacStability, S::Both, 6, 0},
    {"no interval change", K::CardiacStability, S::Both, 6, 0},
    {"no significant change", K::CardiacStability, S::Both, 6, 0},
    {"no significant interval change", K::CardiacStability, S::Both, 6, 0},
    {"without change", K::CardiacStability, S::Both, 6, 0},
    {"not changed", K::CardiacStability, S::Backward, 6, 0},
    {"similar to prior", K::CardiacStability, S::Backward, 6, 0},
    {"similar to the prior", K::CardiacStability, S::Backward, 6, 0},
    {"stable appearance of", K::CardiacStability, S::Forward, 6, 0},

    // --- pseudo-triggers ---
    {"not only", K::Pseudo, S::Forward, 0, 0},
    {"gram negative", K::Pseudo, S::Forward, 0, 0},
    {"no increase", K::Pseudo, S::Forward, 0, 0},
};

// The words of the CheXpert "stable silhouette" rules' node lemmas (with their plurals).
constexpr std::array<std::string_view, 18> kCardiacWords = {"cardiomediastinal",
                                                            "pericardial",
                                                            "mediastinal",
                                                            "mediastinum",
                                                            "cardiomediastinum",
                                                            "contour",
                                                            "contours",
                                                            "configuration",
                                                            "configurations",
                                                            "silhouette",
                                                            "silhouettes",
                                                            "size",
                                                            "sizes",
                                                            "heart",
                                                            "hearts",
                                                            "shadow",
                                                            "shadows",
                                                            "mediastina"};

constexpr std::array<std::string_view, 14> kClauseBreakers = {"but",   "however",      "although", "though",   "except",
                                                              "aside", "apart",        "which",    "whereas",  "yet",
                                                              "while", "nevertheless", "there",    "otherwise"};

// Verbs that end forward negation and the subject phrase of a backward trigger.
constexpr std::array<std::string_view, 24> kVerbs = {
    "is",    "are",  "was",     "were",   "be",           "been",    "being",  "has",
    "have",  "had",  "appears", "appear", "appeared",     "remains", "remain", "remained",
    "seems", "seem", "looks",   "look",   "demonstrates", "shows",   "become", "becomes"};

// Words allowed between a backward trigger and its verb ("is *now at the* upper limits of normal", "is stable
// *and grossly* normal"); "xxxx" is the de-identification token of IU X-Ray.
constexpr std::array<std::string_view, 25> kBridgeWords = {
    "now",        "otherwise", "again",     "also",      "still", "overall", "grossly", "essentially", "largely",
    "completely", "entirely",  "generally", "both",      "all",   "at",      "near",    "on",          "the",
    "as",         "and",       "stable",    "unchanged", "xxxx",  "of",      "a"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

bool is_word_byte(unsigned char c) { return std::isalnum(c) || c == '\'' || c == '-' || c == '_' || c >= 0x80; }

bool is_hard_boundary(char c) {
  return c == '.' || c == ';' || c == ':' || c == '(' || c == ')' || c == '?' || c == '!';
}

}  // namespace

std::span<const Trigger> negation_triggers() { return kTriggers; }

NegationDetector::NegationDetector() {
  for (const Trigger& t : kTriggers) {
    Entry e{&t, {}};
    std::string_view p = t.phrase;
    while (!p.empty()) {
      const size_t sp = p.find(' ');
      e.words.push_back(p.substr(0, sp));
      p = sp == std::string_view::npos ? std::string_view{} : p.substr(sp + 1);
    }
    by_first_word_[e.words.front()].push_back(std::move(e));
  }
  for (auto& [word, entries] : by_first_word_)
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.words.size() > b.words.size(); });
}

void NegationDetector::analyse(std::string_view text, SentenceAnalysis& out) const {
  out.text = text;
  out.tokens.clear();
  out.triggers.clear();
  auto& tokens = out.tokens;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (is_word_byte(c)) {
      size_t j = i;
      while (j < text.size() && is_word_byte(static_cast<unsigned char>(text[j]))) ++j;
      tokens.push_back({uint32_t(i), uint32_t(j), true});
      i = j;
    } else {
      tokens.push_back({uint32_t(i), uint32_t(i + 1), false});
      ++i;
    }
  }
  auto word_at = [&](size_t t) { return text.substr(tokens[t].begin, tokens[t].end - tokens[t].begin); };
  auto is_word = [&](size_t t, auto& set) { return tokens[t].word && contains(set, word_at(t)); };
  // `in_list`: a coordinating "and"/"or" lies between this token and the trigger (backward scans only).
  auto ends_scope = [&](size_t t, const Trigger& trig, bool backward, bool in_list) {
    const bool tight = (trig.flags & kTight) || (!backward && (trig.flags & kTightAfter));
    if (!tokens[t].word) {
      const char c = text[tokens[t].begin];
      return is_hard_boundary(c) || (c == ',' && tight && !in_list);
    }
    const std::string_view w = word_at(t);
    if (contains(kClauseBreakers, w)) return true;
    if (w == "with" && (backward || tight)) return true;
    if (contains(kVerbs, w)) return backward || (trig.flags & kStopAtVerb);
    return false;
  };

  const size_t n = tokens.size();
  for (size_t t = 0; t < n;) {
    const Entry* found = nullptr;
    if (tokens[t].word) {
      auto it = by_first_word_.find(word_at(t));
      if (it != by_first_word_.end()) {
        for (const Entry& e : it->second) {
          // Match the trigger's words against the next word tokens (punctuation breaks a trigger).
          size_t k = 0;
          while (k < e.words.size() && t + k < n && tokens[t + k].word && word_at(t + k) == e.words[k]) ++k;
          if (k == e.words.size()) {
            found = &e;
            break;
          }
        }
      }
    }
    if (!found) {
      ++t;
      continue;
    }
    const Trigger& trig = *found->trigger;
    SentenceAnalysis::FoundTrigger f{&trig,       trig.kind,   uint32_t(t), uint32_t(t + found->words.size()),
                                     uint32_t(t), uint32_t(t), 0,           0};
    f.after_lo = f.after_hi = f.last;
    if (trig.kind == K::NegationContinuation) {
      const bool negated = std::any_of(out.triggers.begin(), out.triggers.end(), [&](const auto& g) {
        return g.kind == K::Negation && f.first >= g.after_lo && f.first < g.after_hi;
      });
      f.kind = negated ? K::Negation : K::Pseudo;
    }
    if (trig.scope != S::Backward && trig.window > 0) {
      size_t u = f.last, words = 0;
      // A comma inside a tight forward scope continues it when an "and"/"or" follows in the same phrase
      // ("normal cardiac size, mediastinum, and vasculature").
      auto list_follows = [&](size_t from) {
        for (size_t v = from + 1; v < n && v < from + 2 * trig.window; ++v) {
          if (!tokens[v].word) {
            if (is_hard_boundary(text[tokens[v].begin])) return false;
            continue;
          }
          const std::string_view w = word_at(v);
          if (w == "and" || w == "or") return true;
          if (contains(kClauseBreakers, w) || contains(kVerbs, w) || w == "with") return false;
        }
        return false;
      };
      while (u < n && !ends_scope(u, trig, false, !tokens[u].word && text[tokens[u].begin] == ',' && list_follows(u))) {
        if (tokens[u].word && ++words > trig.window) break;
        ++u;
      }
      f.after_hi = uint32_t(u);
    }
    if (trig.scope != S::Forward && trig.window > 0) {
      size_t u = f.first, words = 0;
      // Step over the copula, adverbs and prepositions right before the trigger ("... is now at the upper
      // limits of normal").
      while (u > 0 && (is_word(u - 1, kVerbs) || is_word(u - 1, kBridgeWords))) --u;
      bool in_list = false;
      while (u > 0 && !ends_scope(u - 1, trig, true, in_list)) {
        if (tokens[u - 1].word) {
          if (++words > trig.window) break;
          const std::string_view w = word_at(u - 1);
          in_list = in_list || w == "and" || w == "or";
        }
        --u;
      }
      f.scope_lo = uint32_t(u);
    }
    out.triggers.push_back(f);
    t = f.last;
  }
}

MentionStatus NegationDetector::classify(const SentenceAnalysis& s, size_t begin, size_t end,
                                         bool always_uncertain) const {
  bool any_negative = false, any_uncertain = false;
  for (size_t t = 0; t < s.tokens.size(); ++t) {
    const auto& tok = s.tokens[t];
    if (!tok.word || tok.end <= begin || tok.begin >= end) continue;
    const std::string_view word = s.text.substr(tok.begin, tok.end - tok.begin);
    bool pre = false, neg = false, post = always_uncertain;
    for (const auto& f : s.triggers) {
      const bool covered = (t >= f.scope_lo && t < f.first) || (t >= f.after_lo && t < f.after_hi);
      if (!covered) continue;
      switch (f.kind) {
        case K::PreNegationUncertainty:
          pre = true;
          break;
        case K::Negation:
          neg = true;
          break;
        case K::PostNegationUncertainty:
          post = true;
          break;
        case K::CardiacStability:
          post = post || contains(kCardiacWords, word);
          break;
        case K::NegationContinuation:
        case K::Pseudo:
          break;
      }
    }
    // Per word: the first stage that applies decides (as the labeler does per dependency-graph node).
    if (pre)
      any_uncertain = true;
    else if (neg)
      any_negative = true;
    else if (post)
      any_uncertain = true;
  }
  // Across the mention's words negation wins, as in the labeler's aggregation of a mention's rule hits.
  if (any_negative) return MentionStatus::Negative;
  if (any_uncertain) return MentionStatus::Uncertain;
  return MentionStatus::Positive;
}

}  // namespace saerad
