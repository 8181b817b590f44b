#include "data/dataset.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cmath>
#include <set>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"

namespace saerad {

namespace fs = std::filesystem;

void DatasetBuild::report_malformed(const std::string& where, const std::string& problem) {
  log_warning(fmt::format("{}: {}; skipped", where, problem));
  ++malformed;
}

DatasetSummary summarize_dataset(const DatasetBuild& build) {
  DatasetSummary s;
  s.rows = build.rows.size();
  s.malformed = build.malformed;
  s.missing_images = build.missing_images;
  s.missing_reports = build.missing_reports;
  std::set<std::string> studies, subjects;
  for (const StudyRow& r : build.rows) {
    ++s.images[r.split][r.view];
    if (!r.subject_id.empty()) subjects.insert(r.subject_id);
    if (studies.insert(r.study_id).second) {
      ++s.studies_per_split[r.split];
      s.with_findings += !r.findings.empty();
      s.with_impression += !r.impression.empty();
      s.with_reference_labels += build.reference_labels.count(r.study_id);
    }
  }
  s.studies = studies.size();
  s.subjects = subjects.size();
  return s;
}

Json DatasetSummary::to_json() const {
  Json j;
  j["rows"] = rows;
  j["studies"] = studies;
  j["subjects"] = subjects;
  j["studies_with_findings"] = with_findings;
  j["studies_with_impression"] = with_impression;
  j["malformed_skipped"] = malformed;
  j["missing_images"] = missing_images;
  j["missing_reports"] = missing_reports;
  j["studies_with_reference_labels"] = with_reference_labels;
  Json per = Json::object();
  for (const auto& [split, views] : images) {
    Json v = Json::object();
    for (const auto& [view, n] : views) v[view.empty() ? "-" : view] = n;
    const auto it = studies_per_split.find(split);
    per[split.empty() ? "-" : split] = {{"rows_per_view", v},
                                        {"studies", it == studies_per_split.end() ? 0 : it->second}};
  }
  j["splits"] = per;
  return j;
}

std::string DatasetSummary::to_table() const {
  std::string s = fmt::format("{} rows, {} studies ({} with findings, {} with impression), {} subjects\n", rows,
                              studies, with_findings, with_impression, subjects);
  if (with_reference_labels) s += fmt::format("{} studies with the dataset's CheXpert labels\n", with_reference_labels);
  if (malformed || missing_images || missing_reports)
    s += fmt::format("skipped: {} malformed, {} missing images; {} studies without a report\n", malformed,
                     missing_images, missing_reports);
  s += fmt::format("{:<10} {:>8} {:>8}  rows per view\n", "split", "studies", "rows");
  for (const auto& [split, views] : images) {
    size_t total = 0;
    std::string per_view;
    for (const auto& [view, n] : views) {
      total += n;
      per_view += fmt::format("  {}={}", view.empty() ? "-" : view, n);
    }
    const auto it = studies_per_split.find(split);
    s += fmt::format("{:<10} {:>8} {:>8} {}\n", split.empty() ? "-" : split,
                     it == studies_per_split.end() ? 0 : it->second, total, per_view);
  }
  return s;
}

DatasetSummary write_dataset(const fs::path& out, DatasetBuild build, const Json& inputs) {
  if (build.rows.empty())
    fail_input("{}: no usable rows ({} malformed, {} missing images): nothing written", out.string(), build.malformed,
               build.missing_images);
  write_manifest(out, build.rows);
  DatasetSummary summary = summarize_dataset(build);
  Provenance provenance;
  for (const auto& [name, value] : inputs.items()) provenance.input(name, value);
  Json run;
  run["provenance"] = provenance.to_json();
  run["summary"] = summary.to_json();
  fs::path run_path = out;
  run_path.replace_extension(".run.json");
  write_json_file(run_path, run);
  return summary;
}

size_t write_reference_labels(const fs::path& out, const DatasetBuild& build) {
  AtomicFile file(out);
  std::vector<std::string> fields = label_csv_header("study_id");
  file.write(csv_line(fields));
  std::set<std::string> written;
  for (const StudyRow& r : build.rows) {
    const auto labels = build.reference_labels.find(r.study_id);
    if (labels == build.reference_labels.end() || !written.insert(r.study_id).second) continue;
    fields = {r.study_id, r.impression.empty() ? r.findings : r.impression};
    append_label_fields(fields, labels->second);
    file.write(csv_line(fields));
  }
  file.commit();
  return written.size();
}

std::string manifest_image_path(const fs::path& image, const fs::path& manifest_dir) {
  std::error_code ec;
  const fs::path abs_image = fs::weakly_canonical(fs::absolute(image), ec);
  const fs::path abs_dir = fs::weakly_canonical(fs::absolute(manifest_dir.empty() ? "." : manifest_dir), ec);
  const fs::path rel = abs_image.lexically_relative(abs_dir);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return abs_image.generic_string();
}

std::string read_table_text(const fs::path& path) {
  if (path.extension() != ".gz") return read_text_file(path);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail_input("{}: cannot open", path.string());
  std::string out;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0) out.append(buffer, size_t(n));
  int err = 0;
  const char* message = n < 0 ? gzerror(f, &err) : nullptr;
  const std::string error = message ? message : "";
  gzclose(f);
  if (n < 0) fail_input("{}: not a valid gzip file ({})", path.string(), error);
  return out;
}

std::string hash_split(const std::string& id, const std::vector<double>& fractions, uint64_t seed) {
  static const char* kNames[] = {"train", "validate", "test"};
  if (fractions.size() != 3) fail_input("split fractions: expected 3 (train,validate,test), got {}", fractions.size());
  double sum = 0;
  for (double f : fractions) {
    if (f < 0) fail_input("split fractions: negative value {}", f);
    sum += f;
  }
  if (std::abs(sum - 1.0) > 1e-6) fail_input("split fractions: they sum to {}, not 1", sum);
  const double u = double(fnv1a64(id, 0xcbf29ce484222325ull ^ (seed * 0x9e3779b97f4a7c15ull)) >> 11) * 0x1.0p-53;
  double acc = 0;
  for (size_t i = 0; i < 3; ++i) {
    acc += fractions[i];
    if (u < acc) return kNames[i];
  }
  return kNames[2];
}

}  // namespace saerad
