// The CheXpert labeler (Irvin et al. 2019; github.com/stanfordmlgroup/chexpert-labeler): phrase mentions per
// sentence, negation/uncertainty by the three rule stages (text/negation.hpp), and the labeler's aggregation.
#include "text/chexpert.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/strings.hpp"
#include "text/chexpert_phrases.hpp"
#include "text/negation.hpp"
#include "text/sentences.hpp"

namespace saerad {

namespace {

constexpr size_t kNoFinding = 0;
constexpr size_t kCardiomegaly = 2;
constexpr size_t kSupportDevices = 13;

// Edema mentions the labeler's post-negation rules always mark uncertain ("{lemma:/congestion/} > {}
// {lemma:/vascular/}", "{lemma:/indistinctness/}", ...).
constexpr std::string_view kAlwaysUncertain[] = {"vascular congestion", "pulmonary congestion", "indistinctness",
                                                 "vascular prominence"};

std::string underscores_to_spaces(std::string_view phrase) {
  std::string s(phrase);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<size_t> observation_index(std::string_view name) {
  for (size_t i = 0; i < kNumObservations; ++i)
    if (kObservations[i] == name) return i;
  return std::nullopt;
}

std::string_view format_label(const std::optional<int>& label) {
  if (!label) return "";
  if (*label == 1) return "1.0";
  if (*label == 0) return "0.0";
  return "-1.0";
}

std::vector<std::string> label_csv_header(std::string_view id_column) {
  std::vector<std::string> fields;
  if (!id_column.empty()) fields.emplace_back(id_column);
  fields.emplace_back("Reports");
  for (std::string_view name : kObservations) fields.emplace_back(name);
  return fields;
}

void append_label_fields(std::vector<std::string>& fields, const ChexpertLabels& labels) {
  for (const auto& label : labels) fields.emplace_back(format_label(label));
}

bool parse_label(std::string_view field, std::optional<int>& label) {
  const std::string_view t = trim(field);
  label.reset();
  if (t.empty()) return true;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || ptr != t.data() + t.size() || !(value == 1 || value == 0 || value == -1)) return false;
  label = static_cast<int>(value);
  return true;
}

std::string chexpert_clean(std::string_view report) {
  std::string s = replace_all(to_lower(report), "and/or", "or");
  // "a/b" between letters → "a or b".
  std::string t;
  t.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '/' && i > 0 && i + 1 < s.size() && is_alpha(s[i - 1]) && is_alpha(s[i + 1]))
      t += " or ";
    else
      t += s[i];
  }
  t = replace_all(std::move(t), "..", ".");
  // A space after each '.' and ',', then whitespace collapsed (Python's ' '.join(text.split())).
  std::string spaced;
  spaced.reserve(t.size() + t.size() / 8);
  for (char c : t) {
    spaced += c;
    if (c == '.' || c == ',') spaced += ' ';
  }
  std::string collapsed;
  collapsed.reserve(spaced.size());
  for (size_t i = 0; i < spaced.size();) {
    if (is_space(spaced[i])) {
      while (i < spaced.size() && is_space(spaced[i])) ++i;
      if (!collapsed.empty() && i < spaced.size()) collapsed += ' ';
    } else {
      collapsed += spaced[i++];
    }
  }
  // re.sub(r'\.\s+\.', '.', text): drop empty sentences.
  std::string out;
  out.reserve(collapsed.size());
  for (size_t i = 0; i < collapsed.size();) {
    if (collapsed[i] == '.') {
      size_t j = i + 1;
      while (j < collapsed.size() && is_space(collapsed[j])) ++j;
      if (j > i + 1 && j < collapsed.size() && collapsed[j] == '.') {
        out += '.';
        i = j + 1;
        continue;
      }
    }
    out += collapsed[i++];
  }
  return out;
}

struct ChexpertLabeler::Impl {
  struct Phrase {
    size_t observation;
    std::string text;
    bool always_uncertain;
    bool heart_failure;  // "chf" / "heart failure": positive or uncertain also adds uncertain Cardiomegaly
  };
  std::vector<Phrase> phrases;
  std::array<std::vector<std::string>, kNumObservations> unmentions;
  NegationDetector detector;

  Impl() {
    for (const PhraseEntry& e : chexpert_mention_phrases()) {
      Phrase p{*observation_index(e.observation), underscores_to_spaces(e.phrase), false, false};
      p.always_uncertain =
          std::find(std::begin(kAlwaysUncertain), std::end(kAlwaysUncertain), p.text) != std::end(kAlwaysUncertain);
      p.heart_failure = p.text == "chf" || p.text == "heart failure";
      phrases.push_back(std::move(p));
    }
    for (const PhraseEntry& e : chexpert_unmention_phrases())
      unmentions[*observation_index(e.observation)].push_back(underscores_to_spaces(e.phrase));
    add_positional_unmentions();
  }

  // The labeler's Extractor.add_unmention_phrases: "over the heart", "in the left cardiac silhouette", ... are
  // positions, not statements about the heart or mediastinum. "overlying the" is our addition (the labeler's
  // "overly the" never matches the participle: "densities overlying the heart").
  void add_positional_unmentions() {
    std::vector<std::string> positional;
    for (const char* a : {"over the", "overly the", "in the", "overlying the"})
      for (const char* b : {"", " superior", " left", " right"}) positional.push_back(std::string(a) + b);
    const size_t enlarged_cm = *observation_index("Enlarged Cardiomediastinum");
    unmentions[kCardiomegaly].clear();
    unmentions[enlarged_cm].clear();
    for (const std::string& pos : positional)
      for (const Phrase& p : phrases) {
        if (p.observation == kCardiomegaly && p.text != "cardiomegaly" && p.text != "cardiac enlargement")
          unmentions[kCardiomegaly].push_back(pos + " " + replace_all(p.text, "the ", ""));
        if (p.observation == enlarged_cm) unmentions[enlarged_cm].push_back(pos + " " + p.text);
      }
  }

  bool overlaps_unmention(std::string_view sentence, size_t observation, size_t begin, size_t end) const {
    for (const std::string& u : unmentions[observation])
      for (size_t pos = sentence.find(u); pos != std::string_view::npos; pos = sentence.find(u, pos + u.size()))
        if (begin < pos + u.size() && end > pos) return true;
    return false;
  }

  // Calls on_mention(phrase, sentence, begin, end, status) for every mention, sentence by sentence.
  template <class F>
  void for_each_mention(std::string_view report, F&& on_mention) const {
    const std::string clean = chexpert_clean(report);
    SentenceAnalysis analysis;
    for (const TextSpan& span : sentence_spans(clean)) {
      const std::string_view sentence = span.of(clean);
      bool analysed = false;
      for (const Phrase& p : phrases) {
        for (size_t pos = sentence.find(p.text); pos != std::string_view::npos;
             pos = sentence.find(p.text, pos + p.text.size())) {
          const size_t end = pos + p.text.size();
          if (overlaps_unmention(sentence, p.observation, pos, end)) continue;
          if (!analysed) {
            detector.analyse(sentence, analysis);
            analysed = true;
          }
          on_mention(p, sentence, pos, end, detector.classify(analysis, pos, end, p.always_uncertain));
        }
      }
    }
  }
};

ChexpertLabeler::ChexpertLabeler() : impl_(std::make_unique<Impl>()) {}
ChexpertLabeler::~ChexpertLabeler() = default;

ChexpertLabels ChexpertLabeler::label(std::string_view report) const {
  // Per observation, which statuses its mentions took (the labeler's label_dict).
  std::array<bool, kNumObservations> negative{}, uncertain{}, positive{};
  bool no_finding = true;
  impl_->for_each_mention(report, [&](const Impl::Phrase& p, std::string_view, size_t, size_t, MentionStatus s) {
    const bool finding = s != MentionStatus::Negative;
    if (finding && p.observation != kSupportDevices) no_finding = false;
    if (p.observation == kNoFinding) return;  // No Finding phrases only veto
    if (finding && p.heart_failure) uncertain[kCardiomegaly] = true;
    (s == MentionStatus::Negative    ? negative
     : s == MentionStatus::Uncertain ? uncertain
                                     : positive)[p.observation] = true;
  });
  ChexpertLabels labels{};
  for (size_t i = 0; i < kNumObservations; ++i) {
    // The labeler's merge: {0,-1} → -1, {0,1} → 1, {-1,1} → 1, {0,-1,1} → -1.
    if (negative[i] && uncertain[i])
      labels[i] = -1;
    else if (positive[i])
      labels[i] = 1;
    else if (uncertain[i])
      labels[i] = -1;
    else if (negative[i])
      labels[i] = 0;
  }
  if (no_finding) labels[kNoFinding] = 1;
  return labels;
}

std::vector<ChexpertMention> ChexpertLabeler::mentions(std::string_view report) const {
  std::vector<ChexpertMention> out;
  impl_->for_each_mention(
      report, [&](const Impl::Phrase& p, std::string_view sentence, size_t begin, size_t end, MentionStatus s) {
        out.push_back({p.observation, std::string(sentence), std::string(sentence.substr(begin, end - begin)),
                       static_cast<int>(s)});
      });
  return out;
}

std::vector<ChexpertLabels> ChexpertLabeler::label_all(const std::vector<std::string>& reports) const {
  std::vector<ChexpertLabels> out(reports.size());
  const int64_t n = static_cast<int64_t>(reports.size());
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i) out[i] = label(reports[i]);
  return out;
}

}  // namespace saerad
