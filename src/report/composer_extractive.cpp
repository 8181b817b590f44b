#include "report/composer_extractive.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/error.hpp"
#include "interp/report_phrases.hpp"
#include "report/anatomy_order.hpp"

namespace saerad {
namespace {

// Present, uncertain and absent wordings per observation, in kObservations order.
constexpr std::array<std::array<const char*, 3>, kNumObservations> kTemplates = {{
    {"No acute cardiopulmonary abnormality.", "No acute cardiopulmonary abnormality.", ""},
    {"The cardiomediastinal silhouette is enlarged.", "The cardiomediastinal silhouette may be enlarged.",
     "The cardiomediastinal silhouette is within normal limits."},
    {"The heart is enlarged.", "The heart may be enlarged.", "The heart is normal in size."},
    {"There is a pulmonary mass.", "There may be a pulmonary nodule.", "No pulmonary nodules or masses."},
    {"There is an airspace opacity.", "There may be an airspace opacity.", "No focal airspace opacity."},
    {"There is pulmonary edema.", "There may be mild pulmonary edema.", "No pulmonary edema."},
    {"There is focal consolidation.", "Consolidation cannot be excluded.", "No focal consolidation."},
    {"The findings suggest pneumonia.", "Pneumonia cannot be excluded.", "No evidence of pneumonia."},
    {"There is atelectasis.", "There may be atelectasis.", "No atelectasis."},
    {"There is a pneumothorax.", "A pneumothorax cannot be excluded.", "No pneumothorax."},
    {"There is a pleural effusion.", "There may be a small pleural effusion.", "No pleural effusion."},
    {"There is pleural thickening.", "There may be pleural thickening.", "No pleural thickening."},
    {"There is a fracture.", "A fracture cannot be excluded.", "No acute fracture."},
    {"Support devices are in place.", "Support devices may be in place.", "No support devices are seen."},
}};

constexpr int kPresent = 1, kUncertain = -1, kAbsent = 0;

size_t template_column(int polarity) { return polarity == kPresent ? 0 : polarity == kUncertain ? 1 : 2; }

struct Claim {
  size_t feature;  // index into ComposerInput::features
  std::string sentence;
  ChexpertLabels labels;
  bool labelled = false;  // names an observation other than "No Finding"
};

struct Statement {
  std::string sentence;
  std::vector<size_t> features;  // indices into ComposerInput::features
  Region region = Region::Other;
  double importance = 0;  // the strongest supporting feature's
};

}  // namespace

std::string observation_statement(size_t observation, int polarity) {
  return kTemplates.at(observation)[template_column(polarity)];
}

ExtractiveComposer::ExtractiveComposer(const ChexpertLabeler& labeler, ExtractiveComposerOptions options)
    : labeler_(labeler), options_(options) {}

ComposedReport ExtractiveComposer::compose(const ComposerInput& input) {
  ComposedReport out;
  out.composer = name();
  out.composer_model = model();
  const size_t no_finding = *observation_index("No Finding");

  std::vector<Claim> claims;
  for (size_t f = 0; f < input.features.size(); ++f)
    for (auto& sentence : report_sentences(input.features[f].description)) {
      Claim c{f, std::move(sentence), {}, false};
      c.labels = labeler_.label(c.sentence);
      for (size_t o = 0; o < kNumObservations; ++o) c.labelled |= o != no_finding && c.labels[o].has_value();
      claims.push_back(std::move(c));
    }
  auto importance = [&](size_t f) { return input.features[f].importance; };

  // Importance-weighted vote per observation.
  std::array<std::optional<int>, kNumObservations> decided;
  for (size_t o = 0; o < kNumObservations; ++o) {
    if (o == no_finding) continue;
    std::map<int, double> weight;
    std::map<int, std::vector<size_t>> voters;
    for (const auto& c : claims)
      if (c.labels[o] && std::find(voters[*c.labels[o]].begin(), voters[*c.labels[o]].end(), c.feature) ==
                             voters[*c.labels[o]].end()) {
        weight[*c.labels[o]] += importance(c.feature);
        voters[*c.labels[o]].push_back(c.feature);
      }
    if (weight.empty()) continue;
    const double present_side = weight[kPresent] + weight[kUncertain];
    if (present_side > weight[kAbsent])
      decided[o] = weight[kPresent] >= weight[kUncertain] ? kPresent : kUncertain;
    else
      decided[o] = kAbsent;
  }
  auto consistent = [&](const ChexpertLabels& labels) {
    for (size_t o = 0; o < kNumObservations; ++o)
      if (o != no_finding && labels[o] && decided[o] && *labels[o] != *decided[o]) return false;
    return true;
  };

  std::vector<Statement> statements;
  auto add_statement = [&](std::string sentence, std::vector<size_t> features, Region region) {
    double top = 0;
    for (size_t f : features) top = std::max(top, importance(f));
    for (auto& s : statements)
      if (s.sentence == sentence) {  // one sentence stating several findings
        for (size_t f : features)
          if (std::find(s.features.begin(), s.features.end(), f) == s.features.end()) s.features.push_back(f);
        s.importance = std::max(s.importance, top);
        return;
      }
    statements.push_back({std::move(sentence), std::move(features), region, top});
  };

  // One statement per decided observation.
  bool any_present = false;
  for (size_t o = 0; o < kNumObservations; ++o) {
    if (!decided[o]) continue;
    any_present |= *decided[o] != kAbsent;
    std::vector<size_t> supporters;
    const Claim* best = nullptr;
    for (const auto& c : claims) {
      if (!c.labels[o] || *c.labels[o] != *decided[o]) continue;
      if (std::find(supporters.begin(), supporters.end(), c.feature) == supporters.end()) supporters.push_back(c.feature);
      if (consistent(c.labels) && (!best || importance(c.feature) > importance(best->feature))) best = &c;
    }
    std::sort(supporters.begin(), supporters.end(), [&](size_t a, size_t b) { return importance(a) > importance(b); });
    add_statement(best ? best->sentence : observation_statement(o, *decided[o]), supporters, observation_region(o));
  }

  // Sentences naming no observation: each once, near-duplicates merged into the more important one.
  std::vector<const Claim*> unlabelled;
  for (const auto& c : claims)
    if (!c.labelled && !c.labels[no_finding]) unlabelled.push_back(&c);
  std::stable_sort(unlabelled.begin(), unlabelled.end(),
                   [&](const Claim* a, const Claim* b) { return importance(a->feature) > importance(b->feature); });
  std::vector<std::pair<const Claim*, std::vector<size_t>>> kept;
  for (const Claim* c : unlabelled) {
    bool merged = false;
    for (auto& [k, features] : kept)
      if (token_jaccard(k->sentence, c->sentence) > options_.duplicate_overlap) {
        if (std::find(features.begin(), features.end(), c->feature) == features.end()) features.push_back(c->feature);
        merged = true;
        break;
      }
    if (!merged) kept.push_back({c, {c->feature}});
  }
  for (auto& [c, features] : kept) add_statement(c->sentence, features, sentence_region(c->sentence, c->labels));

  // "Normal study" sentences only when nothing present was decided.
  if (!any_present) {
    std::vector<size_t> supporters;
    const Claim* best = nullptr;
    for (const auto& c : claims)
      if (!c.labelled && c.labels[no_finding] && *c.labels[no_finding] == kPresent) {
        supporters.push_back(c.feature);
        if (!best || importance(c.feature) > importance(best->feature)) best = &c;
      }
    if (best) add_statement(best->sentence, supporters, Region::Other);
  }

  std::stable_sort(statements.begin(), statements.end(), [](const Statement& a, const Statement& b) {
    if (a.region != b.region) return a.region < b.region;
    return a.importance > b.importance;
  });
  if (options_.max_sentences > 0 && statements.size() > size_t(options_.max_sentences)) {
    // Keep the most important statements, still in reading order.
    std::vector<size_t> order(statements.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return statements[a].importance > statements[b].importance; });
    std::vector<bool> keep(statements.size(), false);
    for (size_t i = 0; i < size_t(options_.max_sentences); ++i) keep[order[i]] = true;
    std::vector<Statement> trimmed;
    for (size_t i = 0; i < statements.size(); ++i)
      if (keep[i]) trimmed.push_back(std::move(statements[i]));
    statements = std::move(trimmed);
  }
  for (auto& s : statements) {
    ComposedSentence sentence{std::move(s.sentence), {}};
    for (size_t f : s.features) sentence.feature_ids.push_back(input.features[f].id);
    out.sentences.push_back(std::move(sentence));
  }
  return out;
}

}  // namespace saerad
