#pragma once
// The reports `eval` compares: predictions and references as formats.md "Predictions" JSONL
// ({"id", "report", "provenance"?} per line) or plain text with one report per line (ids are line numbers),
// and the matching of the two by id.
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_io.hpp"

namespace saerad::eval {

struct EvalReport {
  std::string id;       // study_id (JSONL) or the 1-based line number (text files)
  std::string report;
  Json provenance;      // predictions: [{sentence, features: [{id, importance, description, examples?}]}]; else null
};
using Prediction = EvalReport;
using Reference = EvalReport;

// JSONL when the name ends in .jsonl/.ndjson/.json or the first non-blank character is '{'; text otherwise.
// Errors name file:line (bad JSON, missing "id"/"report", duplicate ids).
std::vector<EvalReport> read_report_file(const std::filesystem::path& path);
std::vector<EvalReport> parse_report_jsonl(std::string_view text, const std::string& name);
std::vector<EvalReport> parse_report_lines(std::string_view text);

struct MatchedReports {
  std::vector<size_t> prediction, reference;  // indices of matched pairs, in the references' order
  std::vector<std::string> missing;           // reference ids without a prediction
  std::vector<std::string> extra;             // prediction ids without a reference
};
MatchedReports match_reports(const std::vector<Prediction>& predictions, const std::vector<Reference>& references);

}  // namespace saerad::eval
