#pragma once
// What every dataset reader shares: the rows it produced, malformed-input accounting (each one reported as
// file:line and skipped), image paths relative to the manifest, a count summary per split and view, and
// reading tables that may be gzip-compressed (MIMIC-CXR ships *.csv.gz).
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json_io.hpp"
#include "data/manifest.hpp"
#include "text/chexpert.hpp"

namespace saerad {

struct DatasetBuild {
  std::vector<StudyRow> rows;
  size_t malformed = 0;        // rows/files reported and skipped
  size_t missing_images = 0;   // listed images not found on disk (skipped)
  size_t missing_reports = 0;  // studies without a report text (kept, report fields empty)
  // Labels that came with the dataset (MIMIC-CXR-JPG's CheXpert table), by study_id; written by
  // write_reference_labels.
  std::unordered_map<std::string, ChexpertLabels> reference_labels;
  void report_malformed(const std::string& where, const std::string& problem);  // logs "where: problem; skipped"
};

struct DatasetSummary {
  size_t rows = 0, studies = 0, subjects = 0, with_findings = 0, with_impression = 0;
  size_t with_reference_labels = 0;  // studies with labels from the dataset's own table
  size_t malformed = 0, missing_images = 0, missing_reports = 0;
  std::map<std::string, std::map<std::string, size_t>> images;  // split → view → rows ("" shown as "-")
  std::map<std::string, size_t> studies_per_split;
  Json to_json() const;
  std::string to_table() const;
};

DatasetSummary summarize_dataset(const DatasetBuild& build);

// Writes the manifest (atomically) and a <stem>.run.json with provenance and the summary beside it.
DatasetSummary write_dataset(const std::filesystem::path& out, DatasetBuild build, const Json& inputs);

// The dataset's own labels of the manifest's studies as a labels CSV (formats.md "Labels", study_id first;
// Reports = the section they were computed from: impression, else findings), atomically. Returns the
// number of studies written; studies without labels are left out.
size_t write_reference_labels(const std::filesystem::path& out, const DatasetBuild& build);

// `image` as the manifest stores it: relative to `manifest_dir` when inside it, absolute otherwise.
std::string manifest_image_path(const std::filesystem::path& image, const std::filesystem::path& manifest_dir);

// The whole text of a table file; ".gz" files are decompressed (zlib).
std::string read_table_text(const std::filesystem::path& path);

// "train" / "validate" / "test" by a hash of the id with the given fractions (deterministic for a seed);
// fractions must sum to 1 (within 1e-6).
std::string hash_split(const std::string& id, const std::vector<double>& fractions, uint64_t seed);

}  // namespace saerad
