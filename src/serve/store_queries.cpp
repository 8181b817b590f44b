#include "serve/store_queries.hpp"

#include <algorithm>
#include <unordered_map>

#include "serve/feature_index.hpp"
#include "serve/sentence_match.hpp"
#include "serve/study_catalog.hpp"
#include "text/sentences.hpp"

namespace saerad::serve {

Json feature_detail(const FeatureStore& store, const StudyCatalog& studies, int64_t id, size_t max_examples) {
  std::optional<FeatureRecord> record = store.feature(id);
  if (!record) return nullptr;
  Json f = record->to_json();
  auto histogram = store.histogram(id);
  f["histogram"] = histogram ? histogram->to_json() : Json();

  const std::vector<std::string> description_words = content_words(record->description);
  Json examples = Json::array();
  for (const FeatureExample& ex : store.examples(id)) {
    if (examples.size() >= max_examples) break;
    Json sentences = Json::array();
    for (const std::string& s : split_sentences(studies.report_text(ex.study_id)))
      sentences.push_back({{"text", s}, {"match", sentence_matches(s, description_words)}});
    examples.push_back({{"rank", ex.rank},
                        {"study_id", ex.study_id},
                        {"activation", ex.activation},
                        {"known_study", studies.find(ex.study_id) != nullptr},
                        {"has_image", studies.display_image(ex.study_id).has_value()},
                        {"sentences", std::move(sentences)}});
  }
  f["examples"] = std::move(examples);
  return f;
}

Json annotate_report(const std::string& report, const Json& provenance, const FeatureIndex& features) {
  // Stored provenance is the Predictions array; some writers wrap it as {"provenance": [...], ...}.
  const Json* list = &provenance;
  if (provenance.is_object() && provenance.contains("provenance")) list = &provenance["provenance"];
  Json sentences = Json::array();
  std::unordered_map<int64_t, double> totals;
  if (list->is_array()) {
    for (const Json& entry : *list) {
      if (!entry.is_object()) continue;
      Json linked = Json::array();
      if (auto fs = entry.find("features"); fs != entry.end() && fs->is_array()) {
        for (const Json& feat : *fs) {
          if (!feat.is_object() || !feat.contains("id") || !feat["id"].is_number_integer()) continue;
          const int64_t fid = feat["id"].get<int64_t>();
          const double importance = feat.value("importance", 0.0);
          std::string description = feat.value("description", std::string());
          if (description.empty())
            if (const FeatureSummary* row = features.find(fid)) description = row->description;
          linked.push_back({{"id", fid}, {"importance", importance}, {"description", description}});
          totals[fid] += importance;
        }
      }
      sentences.push_back({{"sentence", entry.value("sentence", std::string())}, {"features", std::move(linked)}});
    }
  }
  std::vector<std::pair<int64_t, double>> ranked(totals.begin(), totals.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  Json importance = Json::array();
  for (const auto& [fid, total] : ranked) {
    const FeatureSummary* row = features.find(fid);
    importance.push_back({{"id", fid}, {"importance", total}, {"description", row ? row->description : ""}});
  }
  return {{"report", report}, {"provenance", std::move(sentences)}, {"importance", std::move(importance)}};
}

Json study_detail(FeatureStore& store, const StudyCatalog& studies, const FeatureIndex& features, const std::string& id) {
  Json study = studies.study_json(id);
  std::vector<std::string> composers;
  {
    // FeatureStore::report() reads one (study, composer); list the study's composers on its connection.
    auto lock = store.lock();
    auto st = store.db().prepare("SELECT composer FROM reports WHERE study_id = ? ORDER BY created, composer");
    st.bind(1, id);
    while (st.step()) composers.push_back(st.text(0));
  }
  Json reports = Json::array();
  for (const std::string& composer : composers) {
    std::optional<StoredReport> stored = store.report(id, composer);
    if (!stored) continue;
    Json r = annotate_report(stored->report, stored->provenance, features);
    r["composer"] = stored->composer;
    r["created"] = stored->created;
    reports.push_back(std::move(r));
  }
  if (study.is_null() && reports.empty()) return nullptr;
  if (study.is_null()) study = {{"study_id", id}, {"images", Json::array()}};
  Json truth = Json::array();
  for (const std::string& s : split_sentences(studies.report_text(id))) truth.push_back(s);
  study["report_sentences"] = std::move(truth);
  study["has_image"] = studies.display_image(id).has_value();
  study["reports"] = std::move(reports);
  return study;
}

}  // namespace saerad::serve
