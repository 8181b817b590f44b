#pragma once
// Any CSV (with a header) or JSONL file of studies/images → studies.csv rows. Source columns (JSONL keys) map
// onto manifest columns by name — identity by default, overridden per column ("findings=report_findings").
// A `report_column` with whole free-text reports is split into sections (text/sections.hpp) for the fields the
// mapping leaves empty. Image paths are resolved against `image_root` (default: the input's folder) and
// written relative to the manifest. Rows without a study id, and (JSONL) lines that are not JSON objects, are
// reported as file:line and skipped.
#include <filesystem>
#include <map>
#include <string>

#include "data/dataset.hpp"

namespace saerad {

struct GenericDatasetOptions {
  std::filesystem::path input;
  bool jsonl = false;
  std::map<std::string, std::string> columns;  // manifest column → source column (absent: same name)
  std::string report_column;                   // optional: whole reports to split into sections
  std::filesystem::path image_root;            // default: the input's folder
  bool frontal_only = false;
  bool check_images = true;  // images that do not exist are reported and skipped
  std::filesystem::path manifest_dir;
};

DatasetBuild build_generic_dataset(const GenericDatasetOptions& options, Json* inputs = nullptr);

// "findings=text,study_id=id" → {findings: text, study_id: id}; names must be manifest columns.
std::map<std::string, std::string> parse_column_map(const std::vector<std::string>& items);

}  // namespace saerad
