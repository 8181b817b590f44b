#pragma once
// MIMIC-CXR(-JPG) → studies.csv rows.
//   images:  <jpg_root>/files/pXX/pSUBJECT/sSTUDY/DICOM_ID.jpg (one row per image)
//   tables:  mimic-cxr-2.0.0-metadata.csv(.gz) (ViewPosition, StudyDate, StudyTime) and
//            mimic-cxr-2.0.0-split.csv(.gz) (train/validate/test) and mimic-cxr-2.0.0-chexpert.csv(.gz) (the
//            CheXpert labeler's labels per study, kept in DatasetBuild::reference_labels), found in <jpg_root>
//            unless given
//   reports: <reports_root>/[files/]pXX/pSUBJECT/sSTUDY.txt, split into sections (text/sections.hpp)
// Without images, a reports-only manifest (one row per study) is built from the report files.
#include <filesystem>

#include "data/dataset.hpp"

namespace saerad {

struct MimicCxrOptions {
  std::filesystem::path jpg_root;      // optional when reports_root is given
  std::filesystem::path reports_root;  // optional
  std::filesystem::path metadata;      // default: <jpg_root>/mimic-cxr-2.0.0-metadata.csv[.gz] when present
  std::filesystem::path split;         // default: <jpg_root>/mimic-cxr-2.0.0-split.csv[.gz] when present
  std::filesystem::path labels;        // default: <jpg_root>/mimic-cxr-2.0.0-chexpert.csv[.gz] when present
                                       // (the -negbio table has the same columns)
  bool frontal_only = false;           // keep PA/AP images only
  std::filesystem::path manifest_dir;  // image paths are written relative to it (the output's folder)
};

DatasetBuild build_mimic_cxr(const MimicCxrOptions& options, Json* inputs = nullptr);

// "21800506" + "213428.234" → "2180-05-06T21:34:28" (empty when the date is malformed).
std::string mimic_datetime(const std::string& date, const std::string& time);

}  // namespace saerad
