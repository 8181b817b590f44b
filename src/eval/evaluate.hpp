#pragma once
// `saerad eval` as a library: score generated reports against references (formats.md "Scores").
//
//   Json scores = saerad::eval::evaluate(predictions, references, options);
//   std::fputs(saerad::eval::format_scores(scores).c_str(), stdout);
//
// Reports are matched by id (missing / extra ids are reported, the intersection is scored). Metrics:
//   bleu (bleu_1..bleu_4), rouge_l, cider_d — pycocoevalcap's values exactly (nlg-vectors.json, 1e-9);
//   meteor_approx — meteor.hpp (exact + stem stages of METEOR 1.5; its error vs the jar is in the tests);
//   chexpert — chexpert.{uncertain_as_negative,uncertain_as_positive}.{micro_f1_14, macro_f1_14,
//              micro_f1_5, macro_f1_5, per_class} from ChexpertLabeler (text/chexpert.hpp) or given labels.
// `bootstrap` > 0 adds ci95: {"<metric path>": [lo, hi]} with dotted paths ("bleu_4",
// "chexpert.uncertain_as_negative.micro_f1_14"), every corpus statistic recomputed per resample.
// `leakage` (bool), `leakage_count` and `leakage_checked` come from the predictions' provenance examples.
//
// RadFact hook (src/eval/radfact.{hpp,cpp}, LLM-based, written separately): set `options.radfact` to a
// function taking the matched (prediction, reference) report texts in evaluation order and returning
// {"logical_precision": x, "logical_recall": y, ...}; evaluate() stores it under "radfact". It is called
// once and not bootstrapped here (its verdicts come from an LLM); it may return its own "ci95".
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json_io.hpp"
#include "eval/report_files.hpp"
#include "eval/tokenize.hpp"
#include "text/chexpert.hpp"

namespace saerad::eval {

inline constexpr std::string_view kAllMetrics[] = {"bleu", "rouge_l", "cider_d", "meteor_approx", "chexpert"};

using RadfactFunction =
    std::function<Json(const std::vector<std::string>& predictions, const std::vector<std::string>& references)>;

struct EvalOptions {
  Tokenizer tokenizer = Tokenizer::Default;
  std::vector<std::string> metrics = {"bleu", "rouge_l", "cider_d", "meteor_approx", "chexpert"};
  int bootstrap = 0;  // resamples; 0 = no intervals
  uint64_t seed = 0;
  // External CheXpert labels by study id (e.g. CheXbert); otherwise the built-in labeler labels the text.
  std::optional<std::unordered_map<std::string, ChexpertLabels>> prediction_labels, reference_labels;
  const ChexpertLabeler* labeler = nullptr;  // reuse one (it is thread-safe); nullptr = build one if needed
  bool per_study = false;                    // add "per_study": [{id, bleu_4, rouge_l, cider_d, ...}]
  RadfactFunction radfact;                   // optional, see above
};

// "bleu,rouge_l" → validated list; InputError names an unknown metric. "all" = every metric.
std::vector<std::string> parse_metric_list(std::string_view list);

Json evaluate(const std::vector<Prediction>& predictions, const std::vector<Reference>& references,
              const EvalOptions& options);

// The readable table `saerad eval` prints without --json.
std::string format_scores(const Json& scores);

}  // namespace saerad::eval
