#pragma once
// IU X-Ray (Open-i, Indiana University) → studies.csv rows, from either
//   - the two-table repack: indiana_reports.csv (uid, MeSH, Problems, image, indication, comparison, findings,
//     impression) + indiana_projections.csv (uid, filename, projection = Frontal/Lateral), or
//   - the Open-i XML reports (ecgen-radiology/*.xml: AbstractText Label=INDICATION/COMPARISON/FINDINGS/
//     IMPRESSION, uId, parentImage ids whose images are <id>.png).
// study_id = subject_id = the uid (each IU study is one patient); view = FRONTAL / LATERAL (XML: unknown, blank).
// IU has no official split: `split_fractions` (train, validate, test) assigns one by a hash of the study id.
#include <filesystem>
#include <optional>
#include <vector>

#include "data/dataset.hpp"

namespace saerad {

struct IuXrayOptions {
  std::filesystem::path reports;      // indiana_reports.csv
  std::filesystem::path projections;  // indiana_projections.csv (optional: without it, one row per study)
  std::filesystem::path xml_dir;      // Open-i XML folder (instead of the CSVs)
  std::filesystem::path images;       // image folder (optional: without it, a reports-only manifest)
  bool frontal_only = false;
  std::vector<double> split_fractions;  // empty: no split
  uint64_t seed = 0;
  std::filesystem::path manifest_dir;
};

DatasetBuild build_iu_xray(const IuXrayOptions& options, Json* inputs = nullptr);

// The report sections of one Open-i XML document (entities decoded); nullopt when it has no uId.
struct OpenIReport {
  std::string uid, indication, comparison, findings, impression;
  std::vector<std::string> images;  // parentImage ids
};
std::optional<OpenIReport> parse_openi_xml(std::string_view xml);

}  // namespace saerad
