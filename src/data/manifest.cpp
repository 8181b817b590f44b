#include "data/manifest.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"

namespace saerad {

namespace fs = std::filesystem;


fs::path Manifest::image_file(const StudyRow& row) const {
  fs::path p = row.image_path;
  if (p.empty() || p.is_absolute()) return p;
  return source.parent_path() / p;
}

std::vector<const StudyRow*> Manifest::studies() const {
  std::vector<const StudyRow*> out;
  std::unordered_set<std::string> seen;
  for (const StudyRow& row : rows)
    if (seen.insert(row.study_id).second) out.push_back(&row);
  return out;
}

std::unordered_map<std::string, const StudyRow*> Manifest::previous_studies() const {
  std::map<std::string, std::vector<const StudyRow*>> by_subject;
  for (const StudyRow* study : studies())
    if (!study->subject_id.empty() && !study->study_datetime.empty()) by_subject[study->subject_id].push_back(study);
  std::unordered_map<std::string, const StudyRow*> previous;
  for (auto& [subject, list] : by_subject) {
    std::stable_sort(list.begin(), list.end(),
                     [](const StudyRow* a, const StudyRow* b) { return a->study_datetime < b->study_datetime; });
    size_t earlier_end = 0;  // list[0, earlier_end) are strictly earlier than list[i]
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i - 1]->study_datetime < list[i]->study_datetime) earlier_end = i;
      if (earlier_end > 0) previous.emplace(list[i]->study_id, list[earlier_end - 1]);
    }
  }
  return previous;
}

std::map<std::string, size_t> Manifest::study_index() const {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rows.size(); ++i) index.emplace(rows[i].study_id, i);
  return index;
}

Manifest read_manifest(const fs::path& path) {
  Manifest manifest;
  manifest.source = path;
  CsvTable table(CsvReader::open(path));
  std::vector<std::pair<std::optional<size_t>, std::string StudyRow::*>> columns;
  for (const auto& [name, member] : kManifestColumns) columns.emplace_back(table.column(name), member);
  table.require_column("study_id");
  std::vector<std::string> fields;
  int64_t empty_ids = 0;
  while (table.next(fields)) {
    StudyRow row;
    for (const auto& [index, member] : columns)
      if (index) row.*member = fields[*index];
    if (trim(row.study_id).empty()) {
      log_warning(fmt::format("{}: empty study_id; row skipped", table.where()));
      ++empty_ids;
      continue;
    }
    manifest.rows.push_back(std::move(row));
  }
  if (manifest.rows.empty())
    fail_input("{}: no usable rows ({} skipped as malformed, {} without study_id)", path.string(), table.skipped(),
               empty_ids);
  return manifest;
}

void write_manifest(const fs::path& path, const std::vector<StudyRow>& rows) {
  AtomicFile out(path);
  out.write(std::string(kManifestHeader) + "\n");
  std::vector<std::string> fields;
  for (const StudyRow& row : rows) {
    fields.clear();
    for (const auto& column : kManifestColumns) fields.push_back(row.*(column.member));
    out.write(csv_line(fields));
  }
  out.commit();
}

std::string report_section(const StudyRow& row, const std::string& section) {
  if (section == "findings") return row.findings;
  if (section == "impression") return row.impression;
  if (section == "both") {
    if (row.findings.empty()) return row.impression;
    if (row.impression.empty()) return row.findings;
    return row.findings + " " + row.impression;
  }
  fail_input("unknown report section '{}' (expected findings, impression or both)", section);
}

bool is_frontal_view(const std::string& view) {
  const std::string v = to_lower(trim(view));
  return v == "pa" || v == "ap" || v == "frontal" || v == "ap supine" || v == "ap erect" || v == "postero_anterior" ||
         v == "antero_posterior" || v == "pa view" || v == "ap view";
}

}  // namespace saerad
