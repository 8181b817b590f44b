#include "interp/description_score.hpp"

#include <cmath>
#include <unordered_set>

#include "core/error.hpp"
#include "core/stats.hpp"
#include "interp/report_phrases.hpp"

namespace saerad {

const ChexpertLabels& LabelerJudge::labels_of(const std::string& report) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(report); it != cache_.end()) return it->second;
  }
  ChexpertLabels labels = labeler_.label(report);
  std::lock_guard lock(mutex_);
  return cache_.emplace(report, labels).first->second;  // unordered_map references stay valid on rehash
}

std::vector<std::optional<bool>> LabelerJudge::states(const Description& description,
                                                      const std::vector<std::string>& reports) {
  std::vector<std::optional<bool>> out;
  if (!description.interpretable || description.description.empty()) return out;
  const ChexpertLabels described = labeler_.label(description.description);
  const size_t no_finding = *observation_index("No Finding");
  std::vector<size_t> present, absent;
  for (size_t o = 0; o < kNumObservations; ++o) {
    if (o == no_finding || !described[o]) continue;
    (*described[o] == 0 ? absent : present).push_back(o);
  }
  out.reserve(reports.size());
  if (!present.empty() || !absent.empty()) {
    for (const auto& report : reports) {
      const ChexpertLabels& l = labels_of(report);
      bool states = false;
      if (!present.empty()) {
        for (size_t o : present) states |= l[o] && (*l[o] == 1 || *l[o] == -1);
      } else {
        states = true;
        for (size_t o : absent) states &= l[o] && *l[o] == 0;
      }
      out.push_back(states);
    }
    return out;
  }
  // No observation named: the description's content words.
  std::unordered_set<std::string> words;
  for (auto& t : word_tokens(description.description))
    if (!is_function_word(t)) words.insert(std::move(t));
  if (words.empty()) return out;
  const size_t need = std::max<size_t>(1, size_t(std::ceil(0.6 * double(words.size()))));
  for (const auto& report : reports) {
    size_t found = 0;
    std::unordered_set<std::string> report_words;
    for (auto& t : word_tokens(report)) report_words.insert(std::move(t));
    for (const auto& w : words) found += report_words.count(w);
    out.push_back(found >= need);
  }
  return out;
}

Json DescriptionScore::to_json() const {
  return Json{{"method", method}, {"n", n}, {"positives", positives},
              {"auroc", auroc ? Json(*auroc) : Json()}};
}

DescriptionScore score_description(const Description& description, StatementJudge& judge,
                                   const std::vector<std::string>& reports, std::span<const float> activations) {
  if (reports.size() != activations.size())
    fail("score_description: {} reports but {} activations", reports.size(), activations.size());
  DescriptionScore score;
  score.method = judge.name();
  const auto states = judge.states(description, reports);
  if (states.empty()) return score;
  std::vector<double> values;
  std::vector<uint8_t> labels;
  for (size_t i = 0; i < states.size() && i < reports.size(); ++i) {
    if (!states[i]) continue;
    values.push_back(activations[i]);
    labels.push_back(*states[i] ? 1 : 0);
    score.positives += *states[i];
  }
  score.n = int64_t(values.size());
  const double a = auroc(values, labels);
  if (std::isfinite(a)) score.auroc = a;
  return score;
}

}  // namespace saerad
