#pragma once
// The 14 CheXpert observations and a report's label vector, as the Stanford CheXpert labeler defines them.
// (Contract between text/ (the labeler) and eval/, interp/, demo/: keep these names and meanings.)
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace saerad {

inline constexpr size_t kNumObservations = 14;
// Column order of the labeler's CSV output (after "Reports").
// clang-format off
inline constexpr std::array<std::string_view, kNumObservations> kObservations = {
    "No Finding",   "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Lesion",      "Lung Opacity",
    "Edema",        "Consolidation",              "Pneumonia",    "Atelectasis",      "Pneumothorax",
    "Pleural Effusion", "Pleural Other",          "Fracture",     "Support Devices"};
// The 5 of the CheXpert competition (used for the "5" F1 scores).
inline constexpr std::array<std::string_view, 5> kCompetitionObservations = {
    "Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion"};
// clang-format on

std::optional<size_t> observation_index(std::string_view name);  // exact name → 0..13

// Per observation: 1 positive, 0 negative, -1 uncertain, nullopt = not mentioned (blank in the CSV).
using ChexpertLabels = std::array<std::optional<int>, kNumObservations>;

// The CheXpert labeler's text cleaning (its loader): lowercase, "and/or" → "or", "a/b" → "a or b", ".." → ".",
// a space after every '.' and ',', whitespace collapsed, empty sentences (". .") removed.
std::string chexpert_clean(std::string_view report);

// A label as the labeler's CSV writes it: "1.0", "0.0", "-1.0" or "" (not mentioned).
std::string_view format_label(const std::optional<int>& label);
// The labeler's CSV columns (formats.md "Labels"): `id_column` first unless empty, "Reports", the 14.
std::vector<std::string> label_csv_header(std::string_view id_column);
// Appends a row's 14 label fields in that order.
void append_label_fields(std::vector<std::string>& fields, const ChexpertLabels& labels);
// The inverse, also taking "1", "0", "-1" and surrounding spaces: false when `field` is none of them.
bool parse_label(std::string_view field, std::optional<int>& label);

// One mention found in a report, for explanations and debugging (`saerad label --explain`).
struct ChexpertMention {
  size_t observation;    // index into kObservations
  std::string sentence;  // the cleaned sentence
  std::string phrase;    // the matched text
  int status;            // 1 positive, 0 negative, -1 uncertain (after the rules, before aggregation)
};

// Labels one report (free text, any case). Thread-safe after construction.
class ChexpertLabeler {
 public:
  ChexpertLabeler();  // built-in phrase lists and rules
  ~ChexpertLabeler();
  ChexpertLabeler(const ChexpertLabeler&) = delete;
  ChexpertLabeler& operator=(const ChexpertLabeler&) = delete;
  ChexpertLabels label(std::string_view report) const;
  std::vector<ChexpertLabels> label_all(const std::vector<std::string>& reports) const;  // parallel
  std::vector<ChexpertMention> mentions(std::string_view report) const;  // every mention with its status

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saerad
