#include "serve/study_catalog.hpp"

#include <algorithm>

namespace saerad::serve {

bool is_valid_study_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == ':';
  });
}

StudyCatalog::StudyCatalog(Manifest manifest) : manifest_(std::move(manifest)) {
  for (size_t i = 0; i < manifest_.rows.size(); ++i) by_study_[manifest_.rows[i].study_id].push_back(i);
}

const std::vector<size_t>* StudyCatalog::find(const std::string& study_id) const {
  auto it = by_study_.find(study_id);
  return it == by_study_.end() ? nullptr : &it->second;
}

std::optional<std::filesystem::path> StudyCatalog::display_image(const std::string& study_id) const {
  const auto* rows = find(study_id);
  if (!rows) return std::nullopt;
  const StudyRow* chosen = nullptr;
  for (size_t i : *rows) {
    const StudyRow& r = manifest_.rows[i];
    if (r.image_path.empty()) continue;
    if (!chosen || (is_frontal_view(r.view) && !is_frontal_view(chosen->view))) chosen = &r;
  }
  if (!chosen) return std::nullopt;
  return manifest_.image_file(*chosen);
}

std::string StudyCatalog::report_text(const std::string& study_id) const {
  const auto* rows = find(study_id);
  return rows ? report_section(manifest_.rows[rows->front()], "both") : std::string();
}

Json StudyCatalog::study_json(const std::string& study_id) const {
  const auto* rows = find(study_id);
  if (!rows) return nullptr;
  const StudyRow& first = manifest_.rows[rows->front()];
  Json images = Json::array();
  for (size_t i : *rows) {
    const StudyRow& r = manifest_.rows[i];
    if (!r.image_id.empty() || !r.image_path.empty()) images.push_back({{"image_id", r.image_id}, {"view", r.view}});
  }
  return {{"study_id", study_id},     {"subject_id", first.subject_id}, {"split", first.split},
          {"study_datetime", first.study_datetime}, {"indication", first.indication},
          {"comparison", first.comparison}, {"findings", first.findings}, {"impression", first.impression},
          {"images", std::move(images)}};
}

}  // namespace saerad::serve
