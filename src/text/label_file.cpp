#include "text/label_file.hpp"

#include <fmt/format.h>

#include <chrono>
#include <unordered_set>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/jsonl.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/strings.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

struct ReportRow {
  std::string id, text;
};

std::string join_fields(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& p : parts) {
    const std::string_view t = trim(p);
    if (t.empty()) continue;
    if (!text.empty()) text += ' ';
    text += t;
  }
  return text;
}

std::vector<ReportRow> read_csv_reports(const LabelFileOptions& o, LabelFileSummary& summary) {
  std::vector<ReportRow> rows;
  if (o.no_header) {
    CsvReader reader = CsvReader::open(o.reports);
    std::vector<std::string> fields;
    while (reader.next(fields)) rows.push_back({"", fields.empty() ? "" : fields[0]});
    return rows;
  }
  CsvTable table(CsvReader::open(o.reports));
  std::vector<size_t> text_columns;
  for (const std::string& c : o.columns) text_columns.push_back(table.require_column(c));
  std::optional<size_t> id_column;
  if (!o.id_column.empty()) id_column = table.require_column(o.id_column);
  std::vector<std::string> fields, parts;
  while (table.next(fields)) {
    parts.clear();
    for (size_t c : text_columns) parts.push_back(fields[c]);
    rows.push_back({id_column ? fields[*id_column] : "", join_fields(parts)});
  }
  summary.malformed = size_t(table.skipped());
  return rows;
}

std::vector<ReportRow> read_jsonl_reports(const LabelFileOptions& o, LabelFileSummary& summary) {
  std::vector<ReportRow> rows;
  summary.malformed += for_each_jsonl_object(o.reports, [&](const std::string& where, const Json& j) {
    std::vector<std::string> parts;
    std::string missing;
    for (const std::string& c : o.columns) {
      auto v = json_text_field(j, c);
      if (!v) missing = c;
      parts.push_back(v.value_or(""));
    }
    const std::optional<std::string> id =
        o.id_column.empty() ? std::optional<std::string>("") : json_text_field(j, o.id_column);
    if (!id) missing = o.id_column;
    if (!missing.empty()) {
      log_warning(fmt::format("{}: missing key '{}'; skipped", where, missing));
      ++summary.malformed;
      return;
    }
    rows.push_back({*id, join_fields(parts)});
  });
  return rows;
}

}  // namespace

LabelFileSummary label_reports_file(const LabelFileOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  LabelFileSummary summary;
  const std::string ext = to_lower(o.reports.extension().string());
  std::vector<ReportRow> rows =
      ext == ".jsonl" || ext == ".ndjson" ? read_jsonl_reports(o, summary) : read_csv_reports(o, summary);
  summary.rows = rows.size();
  // Keep one row per id and drop empty reports (an empty text would read as "No Finding").
  std::vector<ReportRow> kept;
  std::unordered_set<std::string> seen;
  for (ReportRow& r : rows) {
    if (!o.id_column.empty() && !seen.insert(r.id).second) {
      ++summary.duplicate_ids;
      continue;
    }
    if (trim(r.text).empty()) {
      ++summary.empty;
      continue;
    }
    kept.push_back(std::move(r));
  }
  if (kept.empty())
    fail_input("{}: no report text to label ({} rows, {} empty, {} malformed; columns {})", o.reports.string(),
               summary.rows, summary.empty, summary.malformed, join(o.columns, "+"));
  if (summary.empty)
    log_warning(fmt::format("{}: {} reports with empty text ({}) left out", o.reports.string(), summary.empty,
                            join(o.columns, "+")));

  ChexpertLabeler labeler;
  std::vector<ChexpertLabels> labels(kept.size());
  {
    Progress progress("label", int64_t(kept.size()), "reports");
    constexpr size_t kChunk = 8192;
    std::vector<std::string> texts;
    for (size_t b = 0; b < kept.size(); b += kChunk) {
      const size_t e = std::min(kept.size(), b + kChunk);
      texts.clear();
      for (size_t i = b; i < e; ++i) texts.push_back(kept[i].text);
      const std::vector<ChexpertLabels> chunk = labeler.label_all(texts);
      std::copy(chunk.begin(), chunk.end(), labels.begin() + ptrdiff_t(b));
      progress.advance(int64_t(e - b));
    }
  }

  AtomicFile out(o.out);
  std::vector<std::string> fields = label_csv_header(o.id_column);
  out.write(csv_line(fields));
  for (size_t i = 0; i < kept.size(); ++i) {
    fields.clear();
    if (!o.id_column.empty()) fields.push_back(kept[i].id);
    fields.push_back(kept[i].text);
    append_label_fields(fields, labels[i]);
    for (size_t k = 0; k < kNumObservations; ++k) {
      const auto& l = labels[i][k];
      ++summary.counts[k][!l ? 3 : *l == 1 ? 0 : *l == 0 ? 1 : 2];
    }
    out.write(csv_line(fields));
  }
  out.commit();
  summary.labelled = kept.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Json run;
  run["provenance"] = Provenance{}.input("reports", fingerprint_file(o.reports)).to_json();
  run["columns"] = o.columns;
  run["id_column"] = o.id_column;
  run["labeler"] = "saerad CheXpert labeler (Stanford CheXpert phrase lists, NegEx-style rules)";
  run["summary"] = summary.to_json();
  fs::path run_path = o.out;
  run_path.replace_extension(".run.json");
  write_json_file(run_path, run);
  return summary;
}

Json LabelFileSummary::to_json() const {
  Json j;
  j["rows"] = rows;
  j["labelled"] = labelled;
  j["empty"] = empty;
  j["duplicate_ids"] = duplicate_ids;
  j["malformed"] = malformed;
  j["seconds"] = seconds;
  Json per = Json::object();
  for (size_t k = 0; k < kNumObservations; ++k)
    per[std::string(kObservations[k])] = {
        {"positive", counts[k][0]}, {"negative", counts[k][1]}, {"uncertain", counts[k][2]}, {"blank", counts[k][3]}};
  j["counts"] = per;
  return j;
}

std::string LabelFileSummary::to_table() const {
  std::string s = fmt::format("{} reports labelled ({} rows; {} empty, {} repeated ids, {} malformed) in {:.2f}s\n",
                              labelled, rows, empty, duplicate_ids, malformed, seconds);
  s += fmt::format("{:<28} {:>9} {:>9} {:>9} {:>9}\n", "observation", "positive", "negative", "uncertain", "blank");
  for (size_t k = 0; k < kNumObservations; ++k)
    s += fmt::format("{:<28} {:>9} {:>9} {:>9} {:>9}\n", kObservations[k], counts[k][0], counts[k][1], counts[k][2],
                     counts[k][3]);
  return s;
}

std::string explain_labels(const ChexpertLabeler& labeler, std::string_view report, bool with_mentions) {
  std::string s;
  const ChexpertLabels labels = labeler.label(report);
  for (size_t k = 0; k < kNumObservations; ++k)
    if (labels[k]) s += fmt::format("{:<28} {}\n", kObservations[k], format_label(labels[k]));
  if (s.empty()) s = "(no observation mentioned)\n";
  if (with_mentions) {
    s += "mentions:\n";
    for (const ChexpertMention& m : labeler.mentions(report))
      s += fmt::format("  {:>4} {:<26} '{}' in: {}\n",
                       m.status == 1   ? "pos"
                       : m.status == 0 ? "neg"
                                       : "unc",
                       kObservations[m.observation], m.phrase, m.sentence);
  }
  return s;
}

}  // namespace saerad
