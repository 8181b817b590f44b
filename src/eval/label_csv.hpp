#pragma once
// CheXpert label CSVs from outside (`eval --pred-labels/--ref-labels`): the labeler's column names
// (formats.md "Labels"; CheXbert writes the same names), values 1 / 0 / -1 (1.0 / 0.0 / -1.0) or blank.
// Rows are matched to reports by an id column when the file has one, otherwise by position.
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/report_files.hpp"
#include "text/chexpert.hpp"

namespace saerad::eval {

struct LabelRow {
  std::string id;  // empty when the file has no id column
  ChexpertLabels labels;
};
struct LabelTable {
  std::string name;  // the file, for messages
  bool has_ids = false;
  std::vector<LabelRow> rows;
};

// id_columns: the candidate id column names, first present wins (none present → positional rows).
LabelTable read_label_csv(const std::filesystem::path& path, const std::vector<std::string>& id_columns);

// Labels keyed by study id: by the rows' ids, or row k ↔ reports[k] when the file had no id column
// (then the row count must equal the report count). Errors name the file.
std::unordered_map<std::string, ChexpertLabels> labels_by_id(const LabelTable& table,
                                                             const std::vector<EvalReport>& reports);

}  // namespace saerad::eval
