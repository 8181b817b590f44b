#pragma once
// The studies the viewer can show, from studies.csv: a study's report fields and its images, looked up by
// study_id. Ids from URLs are validated here before anything touches the file system.
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json_io.hpp"
#include "data/manifest.hpp"

namespace saerad::serve {

// study_ids in URLs: 1–128 characters of [A-Za-z0-9._:-], not "." or "..". Anything else is a 400.
bool is_valid_study_id(std::string_view id);

class StudyCatalog {
 public:
  StudyCatalog() = default;
  explicit StudyCatalog(Manifest manifest);

  // Row indices of the study's images (empty for an unknown id).
  const std::vector<size_t>* find(const std::string& study_id) const;
  const StudyRow& row(size_t index) const { return manifest_.rows[index]; }
  // The image shown for a study: the first frontal view with an image path, else the first image.
  std::optional<std::filesystem::path> display_image(const std::string& study_id) const;
  std::string report_text(const std::string& study_id) const;  // findings then impression
  // {"study_id", "view", "split", "indication", "comparison", "findings", "impression", "images": [...]}
  Json study_json(const std::string& study_id) const;
  size_t size() const { return by_study_.size(); }

 private:
  Manifest manifest_;
  std::unordered_map<std::string, std::vector<size_t>> by_study_;
};

}  // namespace saerad::serve
