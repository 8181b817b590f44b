#pragma once
// studies.csv — the manifest of docs/formats.md: one row per image (or per study for reports-only
// manifests), header exactly
//   study_id,subject_id,image_id,image_path,view,split,study_datetime,indication,comparison,findings,impression
// (Contract used by vision's embed, interp, demo and serve; readers of dataset layouts live beside it.)
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace saerad {

struct StudyRow {
  std::string study_id, subject_id, image_id, image_path, view, split, study_datetime, indication, comparison,
      findings, impression;
};

// The manifest's columns in formats.md order, each with the StudyRow member it fills.
struct ManifestColumn {
  const char* name;
  std::string StudyRow::*member;
};
inline constexpr ManifestColumn kManifestColumns[] = {
    {"study_id", &StudyRow::study_id},
    {"subject_id", &StudyRow::subject_id},
    {"image_id", &StudyRow::image_id},
    {"image_path", &StudyRow::image_path},
    {"view", &StudyRow::view},
    {"split", &StudyRow::split},
    {"study_datetime", &StudyRow::study_datetime},
    {"indication", &StudyRow::indication},
    {"comparison", &StudyRow::comparison},
    {"findings", &StudyRow::findings},
    {"impression", &StudyRow::impression},
};

inline constexpr const char* kManifestHeader =
    "study_id,subject_id,image_id,image_path,view,split,study_datetime,indication,comparison,findings,impression";

struct Manifest {
  std::vector<StudyRow> rows;
  std::filesystem::path source;  // the CSV (image_path values are relative to its folder)

  // image_path resolved against the CSV's folder (absolute paths kept).
  std::filesystem::path image_file(const StudyRow& row) const;
  // One entry per study_id, in first-appearance order (the report fields of its first row).
  std::vector<const StudyRow*> studies() const;
  // study_id → index of its first row.
  std::map<std::string, size_t> study_index() const;
  // study_id → the same subject's latest earlier study (by study_datetime, ISO-8601 so text order is time
  // order). Studies without a subject_id or a study_datetime have none; neither does a subject's first.
  std::unordered_map<std::string, const StudyRow*> previous_studies() const;
};

// Reads a manifest. Columns are matched by name (extra columns ignored, missing optional ones empty;
// study_id required). Malformed rows are reported with file:line and skipped.
Manifest read_manifest(const std::filesystem::path& path);
void write_manifest(const std::filesystem::path& path, const std::vector<StudyRow>& rows);  // atomic

// Report text of a study: "findings", "impression" or "both" (findings then impression).
std::string report_section(const StudyRow& row, const std::string& section);

bool is_frontal_view(const std::string& view);  // PA, AP, (and variants); not LATERAL/LL

}  // namespace saerad
