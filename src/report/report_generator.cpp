#include "report/report_generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "core/error.hpp"

namespace saerad {

Json GeneratedReport::to_json() const {
  Json features = Json::array();
  for (const auto& f : active)
    features.push_back({{"id", f.id}, {"activation", f.activation}, {"importance", f.importance},
                        {"interpretable", f.interpretable}});
  Json j{{"id", study_id}, {"report", report}, {"provenance", provenance}, {"composer", composer},
         {"leakage", leakage}, {"active_features", std::move(features)}};
  if (!composer_model.empty()) j["composer_model"] = composer_model;
  if (!error.empty()) j["error"] = error;
  return j;
}

FeatureCatalog FeatureCatalog::load(const FeatureStore& store) {
  FeatureCatalog catalog;
  for (auto& record : store.interpretable_features())
    catalog.add(record.id, Entry{record.description, true, {}});
  for (auto& [id, studies] : store.example_study_ids()) {
    auto it = catalog.entries_.find(id);
    if (it != catalog.entries_.end()) it->second.examples = std::move(studies);
  }
  return catalog;
}

const FeatureCatalog::Entry* FeatureCatalog::find(int64_t id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void FeatureCatalog::add(int64_t id, Entry entry) {
  if (entry.interpretable) ++interpretable_;
  entries_[id] = std::move(entry);
}

std::vector<ActiveFeature> weigh_active_features(std::span<const int32_t> indices, std::span<const float> values,
                                                 std::span<const float> decoder_norms, const FeatureCatalog& catalog) {
  std::vector<ActiveFeature> active;
  active.reserve(indices.size());
  double total = 0;
  for (size_t j = 0; j < indices.size(); ++j) {
    if (!(values[j] > 0)) continue;
    const size_t id = size_t(indices[j]);
    const double norm = decoder_norms.empty() ? 1.0 : double(decoder_norms[id]);
    ActiveFeature f;
    f.id = indices[j];
    f.activation = values[j];
    f.importance = double(values[j]) * norm;  // contribution, normalised below
    total += f.importance;
    if (const auto* entry = catalog.find(f.id); entry && entry->interpretable) {
      f.interpretable = true;
      f.description = entry->description;
      f.examples = entry->examples;
    }
    active.push_back(std::move(f));
  }
  if (total > 0)
    for (auto& f : active) f.importance /= total;
  std::sort(active.begin(), active.end(), [](const ActiveFeature& a, const ActiveFeature& b) {
    return a.importance != b.importance ? a.importance > b.importance : a.id < b.id;
  });
  return active;
}

ComposerInput composer_input(const StudyContext& context, const std::vector<ActiveFeature>& active,
                             const ReportOptions& options) {
  ComposerInput input{context.study_id, {}, context.indication, context.prior_report};
  for (const auto& f : active) {
    if (!f.interpretable || f.importance < options.min_importance) continue;
    if (options.max_features > 0 && int(input.features.size()) >= options.max_features) break;
    input.features.push_back(f);
  }
  return input;
}

ReportGenerator::ReportGenerator(std::vector<float> decoder_norms, const FeatureStore& store, Composer& composer,
                                 ReportOptions options)
    : decoder_norms_(std::move(decoder_norms)), catalog_(FeatureCatalog::load(store)), composer_(composer),
      options_(options) {}

void record_report_options(FeatureStore& store, const ReportOptions& options) {
  store.set_meta("report_max_features", std::to_string(options.max_features));
  store.set_meta("report_min_importance", fmt::format("{:.17g}", options.min_importance));
  store.set_meta("report_empty_text", options.empty_report);
}

ReportOptions recorded_report_options(const FeatureStore& store) {
  ReportOptions options;
  try {
    if (auto v = store.meta("report_max_features")) options.max_features = std::stoi(*v);
    if (auto v = store.meta("report_min_importance")) options.min_importance = std::stod(*v);
  } catch (const std::exception&) {
    fail_input("{}: malformed report settings in its meta table", store.path().string());
  }
  if (auto v = store.meta("report_empty_text")) options.empty_report = *v;
  return options;
}

ReportOptions report_options_for(const FeatureStore& store, std::optional<int> max_features,
                                 std::optional<double> min_importance) {
  ReportOptions options = recorded_report_options(store);
  if (max_features) options.max_features = *max_features;
  if (min_importance) options.min_importance = *min_importance;
  return options;
}

GeneratedReport ReportGenerator::finish(const StudyContext& context, std::vector<ActiveFeature> active,
                                        const ComposeOutcome& outcome) const {
  GeneratedReport r;
  r.study_id = context.study_id;
  r.composer = composer_.name();
  r.composer_model = composer_.model();
  if (outcome.report && outcome.report->sentences.empty() && !options_.empty_report.empty()) {
    r.report = options_.empty_report;  // no feature qualified: the configured normal-study report
    r.provenance = Json::array({{{"sentence", r.report}, {"features", Json::array()}}});
  } else if (outcome.report) {
    r.report = outcome.report->text();
    r.provenance = outcome.report->provenance(active, options_.examples_per_feature);
    // Leakage: the study was among the examples whose reports wrote a description this report used.
    std::unordered_set<int64_t> used;
    for (const auto& s : outcome.report->sentences) used.insert(s.feature_ids.begin(), s.feature_ids.end());
    for (const auto& f : active)
      if (used.count(f.id) && std::find(f.examples.begin(), f.examples.end(), context.study_id) != f.examples.end())
        r.leakage = !context.study_id.empty();
  } else {
    r.error = outcome.error;
  }
  r.active = std::move(active);
  return r;
}

GeneratedReport ReportGenerator::generate_from_row(std::span<const int32_t> indices, std::span<const float> values,
                                                   const StudyContext& context) {
  auto active = weigh_active_features(indices, values, decoder_norms_, catalog_);
  ComposeOutcome outcome;
  try {
    outcome.report = composer_.compose(composer_input(context, active, options_));
  } catch (const Error& e) {
    outcome.error = e.what();
  }
  return finish(context, std::move(active), outcome);
}

void ReportGenerator::generate_all(const SparseActivations& acts, std::span<const StudyContext> contexts,
                                   const std::function<void(size_t, GeneratedReport)>& done) {
  if (contexts.size() != size_t(acts.rows()))
    fail("generate_all: {} contexts for {} rows of activations", contexts.size(), acts.rows());
  std::vector<std::vector<ActiveFeature>> active(contexts.size());
  std::vector<ComposerInput> inputs(contexts.size());
  for (size_t i = 0; i < contexts.size(); ++i) {
    active[i] = weigh_active_features(acts.row_indices(int64_t(i)), acts.row_values(int64_t(i)), decoder_norms_, catalog_);
    inputs[i] = composer_input(contexts[i], active[i], options_);
  }
  composer_.compose_all(inputs, [&](size_t i, ComposeOutcome outcome) {
    done(i, finish(contexts[i], std::move(active[i]), outcome));
  });
}

}  // namespace saerad
