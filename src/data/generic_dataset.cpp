#include "data/generic_dataset.hpp"

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/jsonl.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "text/sections.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

std::string source_of(const GenericDatasetOptions& o, const char* field) {
  const auto it = o.columns.find(field);
  return it == o.columns.end() ? field : it->second;
}

// Completes one row read from the source (`get` returns a source column's value or nullopt); false = skipped.
template <class Get>
bool finish_row(const GenericDatasetOptions& o, const std::string& where, Get&& get, DatasetBuild& build,
                StudyRow& row) {
  for (const auto& [field, member] : kManifestColumns)
    if (auto v = get(source_of(o, field))) row.*member = std::string(trim(*v));
  if (row.study_id.empty()) {
    build.report_malformed(where, fmt::format("no study id (column '{}')", source_of(o, "study_id")));
    return false;
  }
  if (!o.report_column.empty()) {
    if (auto text = get(o.report_column)) {
      const ReportSections s = parse_report_sections(*text);
      if (row.indication.empty()) row.indication = s.indication;
      if (row.comparison.empty()) row.comparison = s.comparison;
      if (row.findings.empty()) row.findings = s.findings;
      if (row.impression.empty()) row.impression = s.impression;
    }
  }
  if (o.frontal_only && !is_frontal_view(row.view)) return false;
  if (!row.image_path.empty()) {
    fs::path image = row.image_path;
    if (image.is_relative()) image = (o.image_root.empty() ? o.input.parent_path() : o.image_root) / image;
    if (o.check_images && !fs::exists(image)) {
      log_warning(fmt::format("{}: image {} not found; skipped", where, image.string()));
      ++build.missing_images;
      return false;
    }
    row.image_path = manifest_image_path(image, o.manifest_dir);
    if (row.image_id.empty()) row.image_id = image.stem().string();
  }
  if (row.findings.empty() && row.impression.empty()) ++build.missing_reports;
  return true;
}

}  // namespace

std::map<std::string, std::string> parse_column_map(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const std::string& list : items)
    for (const std::string& item : split(list, ',')) {
      if (trim(item).empty()) continue;
      const size_t eq = item.find('=');
      if (eq == std::string::npos) fail_input("--map '{}': expected MANIFEST_COLUMN=SOURCE_COLUMN", item);
      const std::string field(trim(std::string_view(item).substr(0, eq)));
      const std::string source(trim(std::string_view(item).substr(eq + 1)));
      bool known = false;
      for (const auto& f : kManifestColumns) known = known || field == f.name;
      if (!known) fail_input("--map '{}': '{}' is not a manifest column ({})", item, field, kManifestHeader);
      out[field] = source;
    }
  return out;
}

DatasetBuild build_generic_dataset(const GenericDatasetOptions& o, Json* inputs) {
  DatasetBuild build;
  if (inputs) (*inputs)["input"] = fingerprint_file(o.input);
  if (!o.jsonl) {
    CsvTable table(CsvReader::open(o.input));
    if (!table.column(source_of(o, "study_id")))
      fail_input("{}: no column '{}' for study_id (map one with --map study_id=COLUMN)", o.input.string(),
                 source_of(o, "study_id"));
    std::vector<std::string> fields;
    while (table.next(fields)) {
      StudyRow row;
      auto get = [&](const std::string& column) -> std::optional<std::string> {
        const auto c = table.column(column);
        return c ? std::optional<std::string>(fields[*c]) : std::nullopt;
      };
      if (finish_row(o, table.where(), get, build, row)) build.rows.push_back(std::move(row));
    }
    build.malformed += size_t(table.skipped());
    return build;
  }
  build.malformed += for_each_jsonl_object(o.input, [&](const std::string& where, const Json& j) {
    auto get = [&](const std::string& key) { return json_text_field(j, key); };
    StudyRow row;
    if (finish_row(o, where, get, build, row)) build.rows.push_back(std::move(row));
  });
  return build;
}

}  // namespace saerad
