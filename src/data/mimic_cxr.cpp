#include "data/mimic_cxr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "text/chexpert.hpp"
#include "text/sections.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// "p10000032" → "10000032"; "" when the name is not a letter followed by digits.
std::string id_from_folder(const std::string& name, char letter) {
  if (name.size() < 2 || name[0] != letter || !all_digits(std::string_view(name).substr(1))) return "";
  return name.substr(1);
}

fs::path default_table(const fs::path& given, const fs::path& root, const std::string& stem) {
  if (!given.empty()) return given;
  if (root.empty()) return {};
  for (const char* ext : {".csv.gz", ".csv"})
    if (fs::exists(root / (stem + ext))) return root / (stem + ext);
  return {};
}

struct ImageMeta {
  std::string view, datetime;
};

std::unordered_map<std::string, ImageMeta> read_metadata(const fs::path& path, DatasetBuild& build) {
  std::unordered_map<std::string, ImageMeta> out;
  if (path.empty()) return out;
  CsvTable table(CsvReader::from_string(read_table_text(path), path.string()));
  const size_t dicom = table.require_column("dicom_id");
  const auto view = table.column("ViewPosition"), date = table.column("StudyDate"), time = table.column("StudyTime");
  std::vector<std::string> row;
  while (table.next(row)) {
    if (row[dicom].empty()) {
      build.report_malformed(table.where(), "empty dicom_id");
      continue;
    }
    out[row[dicom]] = {view ? row[*view] : "", date && time ? mimic_datetime(row[*date], row[*time]) : ""};
  }
  build.malformed += size_t(table.skipped());
  return out;
}

// dicom_id → split, and study_id → split (for reports-only manifests).
void read_splits(const fs::path& path, DatasetBuild& build, std::unordered_map<std::string, std::string>& by_dicom,
                 std::unordered_map<std::string, std::string>& by_study) {
  if (path.empty()) return;
  CsvTable table(CsvReader::from_string(read_table_text(path), path.string()));
  const size_t dicom = table.require_column("dicom_id"), study = table.require_column("study_id"),
               split = table.require_column("split");
  std::vector<std::string> row;
  while (table.next(row)) {
    const std::string& s = row[split];
    if (s != "train" && s != "validate" && s != "test") {
      build.report_malformed(table.where(), fmt::format("unknown split '{}'", s));
      continue;
    }
    by_dicom[row[dicom]] = s;
    by_study.emplace(row[study], s);
  }
  build.malformed += size_t(table.skipped());
}

// study_id → labels from the chexpert (or negbio) table: subject_id, study_id, the 14 observations.
std::unordered_map<std::string, ChexpertLabels> read_label_table(const fs::path& path, DatasetBuild& build) {
  std::unordered_map<std::string, ChexpertLabels> out;
  if (path.empty()) return out;
  CsvTable table(CsvReader::from_string(read_table_text(path), path.string()));
  const size_t study = table.require_column("study_id");
  std::array<size_t, kNumObservations> columns{};
  for (size_t k = 0; k < kNumObservations; ++k) columns[k] = table.require_column(kObservations[k]);
  std::vector<std::string> row;
  while (table.next(row)) {
    ChexpertLabels labels;
    std::string problem;
    for (size_t k = 0; k < kNumObservations && problem.empty(); ++k)
      if (!parse_label(row[columns[k]], labels[k]))
        problem = fmt::format("column '{}': expected 1.0, 0.0, -1.0 or blank, got '{}'", kObservations[k], row[columns[k]]);
    if (!all_digits(row[study])) problem = fmt::format("study_id '{}' is not a number", row[study]);
    if (!problem.empty()) {
      build.report_malformed(table.where(), problem);
      continue;
    }
    out[row[study]] = labels;
  }
  build.malformed += size_t(table.skipped());
  return out;
}

fs::path report_file(const fs::path& root, const std::string& subject, const std::string& study) {
  const fs::path rel = fs::path("p" + subject.substr(0, 2)) / ("p" + subject) / ("s" + study + ".txt");
  if (fs::exists(root / "files" / rel)) return root / "files" / rel;
  return root / rel;
}

void fill_report(StudyRow& row, const fs::path& file) {
  const ReportSections s = parse_report_sections(read_text_file(file));
  row.indication = s.indication;
  row.comparison = s.comparison;
  row.findings = s.findings;
  row.impression = s.impression;
}

bool is_image_file(const fs::path& p) {
  const std::string ext = to_lower(p.extension().string());
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".dcm";
}

}  // namespace

std::string mimic_datetime(const std::string& date, const std::string& time) {
  if (date.size() != 8 || !all_digits(date)) return "";
  std::string t = time.substr(0, time.find('.'));
  if (!all_digits(t) || t.size() > 6) return date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
  t = std::string(6 - t.size(), '0') + t;  // StudyTime drops leading zeros ("93428" = 09:34:28)
  return fmt::format("{}-{}-{}T{}:{}:{}", date.substr(0, 4), date.substr(4, 2), date.substr(6, 2), t.substr(0, 2),
                     t.substr(2, 2), t.substr(4, 2));
}

DatasetBuild build_mimic_cxr(const MimicCxrOptions& o, Json* inputs) {
  if (o.jpg_root.empty() && o.reports_root.empty()) fail_input("mimic-cxr: give --jpg-root and/or --reports");
  for (const fs::path& p : {o.jpg_root, o.reports_root})
    if (!p.empty() && !fs::is_directory(p)) fail_input("{}: not a directory", p.string());
  DatasetBuild build;
  const fs::path metadata_path = default_table(o.metadata, o.jpg_root, "mimic-cxr-2.0.0-metadata");
  const fs::path split_path = default_table(o.split, o.jpg_root, "mimic-cxr-2.0.0-split");
  const fs::path labels_path = default_table(o.labels, o.jpg_root, "mimic-cxr-2.0.0-chexpert");
  const auto metadata = read_metadata(metadata_path, build);
  build.reference_labels = read_label_table(labels_path, build);
  std::unordered_map<std::string, std::string> split_by_dicom, split_by_study;
  read_splits(split_path, build, split_by_dicom, split_by_study);
  if (inputs) {
    for (const auto& [name, p] : {std::pair{"metadata", metadata_path}, std::pair{"split", split_path},
                                  std::pair{"labels", labels_path}})
      if (!p.empty()) (*inputs)[name] = fingerprint_file(p);
    if (!o.jpg_root.empty()) (*inputs)["jpg_root"] = fs::absolute(o.jpg_root).string();
    if (!o.reports_root.empty()) (*inputs)["reports_root"] = fs::absolute(o.reports_root).string();
  }
  if (o.frontal_only && metadata.empty())
    fail_input("mimic-cxr --frontal-only needs the metadata table (ViewPosition): none given or found in {}",
               o.jpg_root.string());

  if (!o.jpg_root.empty()) {
    const fs::path files = fs::is_directory(o.jpg_root / "files") ? o.jpg_root / "files" : o.jpg_root;
    std::vector<fs::path> images;
    for (auto it = fs::recursive_directory_iterator(files, fs::directory_options::follow_directory_symlink);
         it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file() && is_image_file(it->path())) images.push_back(it->path());
    std::sort(images.begin(), images.end());
    std::unordered_map<std::string, StudyRow> report_cache;  // study_id → report fields
    Progress progress("mimic-cxr images", int64_t(images.size()), "images");
    for (const fs::path& image : images) {
      progress.advance();
      StudyRow row;
      row.study_id = id_from_folder(image.parent_path().filename().string(), 's');
      row.subject_id = id_from_folder(image.parent_path().parent_path().filename().string(), 'p');
      if (row.study_id.empty() || row.subject_id.empty()) {
        build.report_malformed(image.string(), "not under pSUBJECT/sSTUDY/ folders");
        continue;
      }
      row.image_id = image.stem().string();
      const auto meta = metadata.find(row.image_id);
      if (meta != metadata.end()) {
        row.view = meta->second.view;
        row.study_datetime = meta->second.datetime;
      }
      if (o.frontal_only && !is_frontal_view(row.view)) continue;
      const auto split = split_by_dicom.find(row.image_id);
      if (split != split_by_dicom.end()) row.split = split->second;
      row.image_path = manifest_image_path(image, o.manifest_dir);
      if (!o.reports_root.empty()) {
        auto cached = report_cache.find(row.study_id);
        if (cached == report_cache.end()) {
          StudyRow report;
          const fs::path file = report_file(o.reports_root, row.subject_id, row.study_id);
          if (fs::exists(file))
            fill_report(report, file);
          else
            ++build.missing_reports;
          cached = report_cache.emplace(row.study_id, std::move(report)).first;
        }
        row.indication = cached->second.indication;
        row.comparison = cached->second.comparison;
        row.findings = cached->second.findings;
        row.impression = cached->second.impression;
      }
      build.rows.push_back(std::move(row));
    }
    return build;
  }

  // Reports only: one row per sSTUDY.txt.
  std::vector<fs::path> reports;
  for (auto it = fs::recursive_directory_iterator(o.reports_root, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file() && it->path().extension() == ".txt") reports.push_back(it->path());
  std::sort(reports.begin(), reports.end());
  Progress progress("mimic-cxr reports", int64_t(reports.size()), "reports");
  for (const fs::path& file : reports) {
    progress.advance();
    StudyRow row;
    row.study_id = id_from_folder(file.stem().string(), 's');
    row.subject_id = id_from_folder(file.parent_path().filename().string(), 'p');
    if (row.study_id.empty() || row.subject_id.empty()) {
      build.report_malformed(file.string(), "not a pSUBJECT/sSTUDY.txt report file");
      continue;
    }
    const auto split = split_by_study.find(row.study_id);
    if (split != split_by_study.end()) row.split = split->second;
    fill_report(row, file);
    build.rows.push_back(std::move(row));
  }
  return build;
}

}  // namespace saerad
