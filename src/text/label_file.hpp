#pragma once
// `saerad label`: CheXpert labels for every report of a CSV (with a header, or the labeler's header-less
// one-report-per-row file) or a JSONL file, written as the labeler's CSV (docs/formats.md "Labels").
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "text/chexpert.hpp"

namespace saerad {

struct LabelFileOptions {
  std::filesystem::path reports;                 // .csv or .jsonl
  std::filesystem::path out;                     // labels CSV (written atomically) + <stem>.run.json beside it
  std::vector<std::string> columns{"findings"};  // report text = these columns joined by a space
  std::string id_column;                         // written first; repeated ids (one row per image) labelled once
  bool no_header = false;                        // CSV without a header: the report is the first column
};

struct LabelFileSummary {
  size_t rows = 0, labelled = 0, empty = 0, duplicate_ids = 0, malformed = 0;
  // Per observation: counts of positive, negative, uncertain, blank.
  std::array<std::array<size_t, 4>, kNumObservations> counts{};
  double seconds = 0;
  Json to_json() const;
  std::string to_table() const;
};

LabelFileSummary label_reports_file(const LabelFileOptions& options);

// One report's labels and the mentions behind them, as a readable block (`saerad label --text ... --explain`).
std::string explain_labels(const ChexpertLabeler& labeler, std::string_view report, bool with_mentions);

}  // namespace saerad
