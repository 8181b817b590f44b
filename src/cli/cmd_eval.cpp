// saerad eval — BLEU-1..4, ROUGE-L, CIDEr-D, METEOR (approx.), CheXpert F1 and leakage of generated reports
// against references, with bootstrap intervals (library: eval/evaluate.hpp).
#include <cstdio>

#include "cli/command.hpp"
#include "cli/llm_options.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/provenance.hpp"
#include "eval/evaluate.hpp"
#include "eval/label_csv.hpp"
#include "eval/radfact.hpp"
#include "llm/client.hpp"

namespace saerad::cli {
namespace {

struct EvalArgs {
  std::string predictions, references, tokenizer = "default", metrics = "all";
  std::string prediction_labels, reference_labels;
  std::vector<std::string> label_id_columns = {"study_id", "id"};
  int bootstrap = 0;
  uint64_t seed = 0;
  bool per_study = false;
  // RadFact (src/eval/radfact.hpp) adds its options here and sets options.radfact in the action.
  bool radfact = false;
  LlmFlags llm;
  std::string radfact_cache;
};

Registration reg{{
    .name = "eval",
    .summary = "Score generated reports: BLEU, ROUGE-L, CIDEr-D, METEOR (approx.), CheXpert F1, leakage",
    .group = Group::Evaluate,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<EvalArgs>();
      cmd.add_option("--pred", a->predictions, "Generated reports: predictions JSONL (formats.md) or one report per line")
          ->required();
      cmd.add_option("--ref", a->references, "Reference reports: JSONL {id, report} or one report per line")->required();
      cmd.add_option("--tokenizer", a->tokenizer,
                     "default (lowercase, punctuation → space), whitespace (as given) or r2gen (R2Gen's cleaner)")
          ->capture_default_str();
      cmd.add_option("--metrics", a->metrics, "Comma-separated: bleu,rouge_l,cider_d,meteor_approx,chexpert or all")
          ->capture_default_str();
      cmd.add_option("--bootstrap", a->bootstrap, "Resamples for 95% percentile intervals (0 = none)")
          ->check(CLI::NonNegativeNumber);
      cmd.add_option("--seed", a->seed, "Bootstrap seed")->capture_default_str();
      cmd.add_option("--pred-labels", a->prediction_labels,
                     "CheXpert label CSV of the predictions (e.g. CheXbert output) instead of the built-in labeler");
      cmd.add_option("--ref-labels", a->reference_labels, "CheXpert label CSV of the references");
      cmd.add_option("--label-id-column", a->label_id_columns,
                     "Id column(s) of the label CSVs, first present wins; without one, rows match reports by position")
          ->capture_default_str();
      cmd.add_flag("--per-study", a->per_study, "Add per-study scores to the --json output");
      cmd.add_flag("--radfact", a->radfact, "RadFact-style logical precision/recall with an LLM (--llm-url ...)");
      cmd.add_option("--radfact-cache", a->radfact_cache,
                     "SQLite file caching the LLM's verdicts (default: <pred>.llm-cache.db)");
      a->llm.add_to(cmd);
      return [a] {
        eval::EvalOptions options;
        options.tokenizer = eval::parse_tokenizer(a->tokenizer);
        options.metrics = eval::parse_metric_list(a->metrics);
        options.bootstrap = a->bootstrap;
        options.seed = a->seed;
        options.per_study = a->per_study;
        const auto predictions = eval::read_report_file(a->predictions);
        const auto references = eval::read_report_file(a->references);
        if (!a->prediction_labels.empty())
          options.prediction_labels =
              eval::labels_by_id(eval::read_label_csv(a->prediction_labels, a->label_id_columns), predictions);
        if (!a->reference_labels.empty())
          options.reference_labels =
              eval::labels_by_id(eval::read_label_csv(a->reference_labels, a->label_id_columns), references);
        std::unique_ptr<llm::LlmClient> radfact_client;
        if (a->radfact) {
          radfact_client = std::make_unique<llm::LlmClient>(
              a->llm.config(a->radfact_cache.empty() ? a->predictions + ".llm-cache.db" : a->radfact_cache));
          options.radfact = [&](const std::vector<std::string>& generated, const std::vector<std::string>& refs) {
            Json radfact = radfact_score(*radfact_client, generated, refs).to_json();
            radfact["model"] = radfact_client->config().model;
            radfact["llm"] = radfact_client->totals().to_json();
            return radfact;
          };
        }
        Json scores = eval::evaluate(predictions, references, options);
        Provenance provenance;
        if (a->bootstrap > 0) provenance.seed = a->seed;
        provenance.input("predictions", fingerprint_file(a->predictions));
        provenance.input("references", fingerprint_file(a->references));
        if (!a->prediction_labels.empty()) provenance.input("prediction_labels", fingerprint_file(a->prediction_labels));
        if (!a->reference_labels.empty()) provenance.input("reference_labels", fingerprint_file(a->reference_labels));
        scores["provenance"] = provenance.to_json();
        if (json_output())
          print_json(scores);
        else
          std::fputs(eval::format_scores(scores).c_str(), stdout);
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
