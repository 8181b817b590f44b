#include "eval/report_files.hpp"

#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace saerad::eval {
namespace {

void check_unique(const std::vector<EvalReport>& reports, const std::vector<size_t>& lines, const std::string& name) {
  std::unordered_map<std::string_view, size_t> first_line;
  for (size_t i = 0; i < reports.size(); ++i) {
    auto [it, inserted] = first_line.emplace(reports[i].id, lines[i]);
    if (!inserted)
      fail_input("{}:{}: duplicate id '{}' (first on line {})", name, lines[i], reports[i].id, it->second);
  }
}

bool looks_like_jsonl(const std::filesystem::path& path, std::string_view text) {
  const std::string ext = to_lower(path.extension().string());
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return true;
  const std::string_view t = trim(text.substr(0, 4096));
  return !t.empty() && t.front() == '{';
}

}  // namespace

std::vector<EvalReport> parse_report_jsonl(std::string_view text, const std::string& name) {
  std::vector<EvalReport> reports;
  std::vector<size_t> lines;
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    ++line_no;
    pos = end + 1;
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    const std::string where = fmt::format("{}:{}", name, line_no);
    const Json j = parse_json(line, where);
    if (!j.is_object()) fail_input("{}: expected a JSON object per line", where);
    EvalReport r;
    const auto id = j.find("id");
    if (id == j.end() || !(id->is_string() || id->is_number_integer()))
      fail_input("{}: missing \"id\" (a string or an integer)", where);
    r.id = id->is_string() ? id->get<std::string>() : id->dump();
    const auto report = j.find("report");
    if (report == j.end() || !report->is_string()) fail_input("{}: missing \"report\" (a string)", where);
    r.report = report->get<std::string>();
    if (auto p = j.find("provenance"); p != j.end()) r.provenance = *p;
    reports.push_back(std::move(r));
    lines.push_back(line_no);
    if (end == text.size()) break;
  }
  check_unique(reports, lines, name);
  return reports;
}

std::vector<EvalReport> parse_report_lines(std::string_view text) {
  std::vector<EvalReport> reports;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    reports.push_back({std::to_string(reports.size() + 1), std::string(line), Json()});
    pos = end + 1;
  }
  return reports;
}

std::vector<EvalReport> read_report_file(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  if (looks_like_jsonl(path, text)) return parse_report_jsonl(text, path.string());
  return parse_report_lines(text);
}

MatchedReports match_reports(const std::vector<Prediction>& predictions, const std::vector<Reference>& references) {
  MatchedReports m;
  std::unordered_map<std::string_view, size_t> prediction_index;
  for (size_t i = 0; i < predictions.size(); ++i) prediction_index.emplace(predictions[i].id, i);
  std::unordered_map<std::string_view, size_t> reference_index;
  for (size_t i = 0; i < references.size(); ++i) {
    reference_index.emplace(references[i].id, i);
    auto it = prediction_index.find(references[i].id);
    if (it == prediction_index.end()) {
      m.missing.push_back(references[i].id);
    } else {
      m.prediction.push_back(it->second);
      m.reference.push_back(i);
    }
  }
  for (const auto& p : predictions)
    if (!reference_index.count(p.id)) m.extra.push_back(p.id);
  return m;
}

}  // namespace saerad::eval
