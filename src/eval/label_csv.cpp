#include "eval/label_csv.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace saerad::eval {
namespace {

std::optional<int> parse_label_or_fail(std::string_view field, const std::string& where, std::string_view column) {
  std::optional<int> label;
  if (!parse_label(field, label))
    fail_input("{}: column '{}': expected 1, 0, -1 or blank, got '{}'", where, column, trim(field));
  return label;
}

}  // namespace

LabelTable read_label_csv(const std::filesystem::path& path, const std::vector<std::string>& id_columns) {
  CsvTable table(CsvReader::open(path));
  std::array<size_t, kNumObservations> columns{};
  for (size_t c = 0; c < kNumObservations; ++c) columns[c] = table.require_column(kObservations[c]);
  std::optional<size_t> id_column;
  for (const auto& name : id_columns)
    if ((id_column = table.column(name))) break;
  LabelTable out;
  out.name = path.string();
  out.has_ids = id_column.has_value();
  auto& rows = out.rows;
  std::vector<std::string> fields;
  while (table.next(fields)) {
    LabelRow row;
    if (id_column) row.id = std::string(trim(fields[*id_column]));
    for (size_t c = 0; c < kNumObservations; ++c)
      row.labels[c] = parse_label_or_fail(fields[columns[c]], table.where(), kObservations[c]);
    rows.push_back(std::move(row));
  }
  if (table.skipped() > 0) fail_input("{}: {} malformed rows (see the warnings above)", path.string(), table.skipped());
  return out;
}

std::unordered_map<std::string, ChexpertLabels> labels_by_id(const LabelTable& table,
                                                             const std::vector<EvalReport>& reports) {
  std::unordered_map<std::string, ChexpertLabels> by_id;
  const auto& rows = table.rows;
  const std::string& file_name = table.name;
  const bool positional = !table.has_ids;
  if (positional && rows.size() != reports.size())
    fail_input("{}: no id column, so rows must match the reports by position, but it has {} rows for {} reports",
               file_name, rows.size(), reports.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const std::string& id = positional ? reports[k].id : rows[k].id;
    if (!by_id.emplace(id, rows[k].labels).second) fail_input("{}: duplicate id '{}'", file_name, id);
  }
  return by_id;
}

}  // namespace saerad::eval
