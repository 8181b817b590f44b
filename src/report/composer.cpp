#include "report/composer.hpp"

#include <unordered_map>

#include "core/error.hpp"

namespace saerad {

std::string ComposedReport::text() const {
  std::string out;
  for (const auto& s : sentences) {
    if (s.sentence.empty()) continue;
    if (!out.empty()) out += ' ';
    out += s.sentence;
  }
  return out;
}

Json ComposedReport::provenance(std::span<const ActiveFeature> features, size_t max_examples) const {
  std::unordered_map<int64_t, const ActiveFeature*> by_id;
  for (const auto& f : features) by_id[f.id] = &f;
  Json out = Json::array();
  for (const auto& s : sentences) {
    Json used = Json::array();
    for (int64_t id : s.feature_ids) {
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        used.push_back({{"id", id}});
        continue;
      }
      const ActiveFeature& f = *it->second;
      const size_t n_examples = max_examples ? std::min(f.examples.size(), max_examples) : f.examples.size();
      std::vector<std::string> examples(f.examples.begin(), f.examples.begin() + long(n_examples));
      used.push_back({{"id", f.id}, {"importance", f.importance}, {"description", f.description},
                      {"examples", examples}});
    }
    out.push_back({{"sentence", s.sentence}, {"features", std::move(used)}});
  }
  return out;
}

void Composer::compose_all(std::span<const ComposerInput> inputs,
                           const std::function<void(size_t, ComposeOutcome)>& done) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    ComposeOutcome outcome;
    try {
      outcome.report = compose(inputs[i]);
    } catch (const Error& e) {
      outcome.error = e.what();
    }
    done(i, std::move(outcome));
  }
}

}  // namespace saerad
