// saerad interpret — describe every SAE feature: top activations, statistics, label enrichment,
// descriptions (extractive or LLM) and description scores, into the feature store.
#include <cstdio>

#include "cli/command.hpp"
#include "cli/llm_options.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "interp/describer_extractive.hpp"
#include "interp/describer_llm.hpp"
#include "interp/description_score.hpp"
#include "interp/interpret.hpp"

namespace saerad::cli {
namespace {

struct InterpretArgs {
  InterpretOptions options;
  std::string describer = "extractive";
  std::string judge = "auto";
  bool resume = false;
  LlmFlags llm;
};

void print_summary(const InterpretSummary& s, const Json& llm_totals) {
  if (json_output()) {
    Json j = s.to_json();
    if (!llm_totals.is_null()) j["llm"] = llm_totals;
    print_json(j);
    return;
  }
  std::printf("features: %lld alive of %lld; %lld chosen, %lld already described, %lld described now "
              "(%lld interpretable), %lld failed\n",
              (long long)s.alive, (long long)s.d_sae, (long long)s.selected, (long long)s.skipped_done,
              (long long)s.described, (long long)s.interpretable, (long long)s.failed);
  std::printf("studies: %lld in the split, %lld held out for scores, %lld not in the manifest\n",
              (long long)s.studies, (long long)s.heldout_studies, (long long)s.missing_studies);
  std::printf("description scores: %s\n", s.scores.to_json().dump().c_str());
  if (!llm_totals.is_null()) std::printf("llm: %s\n", llm_totals.dump().c_str());
}

Registration reg{{
    .name = "interpret",
    .summary = "Describe every SAE feature (top activations, enrichment, extractive or LLM descriptions, scores)",
    .group = Group::Interpret,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<InterpretArgs>();
      auto& o = a->options;
      cmd.add_option("--sae", o.sae_dir, "SAE directory")->required();
      cmd.add_option("--embeddings", o.embeddings, "Embeddings (.safetensors or .npy) of the studies")->required();
      cmd.add_option("--ids", o.ids_file, "Ids of a .npy's rows (one per line)");
      cmd.add_option("--studies", o.studies, "studies.csv with the reports and splits")->required();
      cmd.add_option("--out", o.out, "Feature store (SQLite) to create or resume")->required();
      cmd.add_option("--split", o.split, "Studies whose reports describe features (train|validate|test|all)")
          ->capture_default_str();
      cmd.add_option("--section", o.section, "Report section: findings|impression|both")->capture_default_str();
      cmd.add_option("--top-k", o.top_k, "Top-activating studies kept per feature")->capture_default_str();
      cmd.add_option("--features", o.features, "Which features to describe: all | top-density:N | ids:FILE")
          ->capture_default_str();
      cmd.add_option("--describer", a->describer, "extractive (offline) | llm")->capture_default_str();
      cmd.add_option("--judge", a->judge, "Description scores: labeler | llm | auto (llm when --describer llm)")
          ->capture_default_str();
      cmd.add_flag("--resume", a->resume, "Continue an interrupted run (always on: finished features are kept)");
      cmd.add_flag("--force", o.force, "Accept a store built from another SAE (its features are rebuilt)");
      cmd.add_flag("--redescribe", o.redescribe, "Describe the chosen features again");
      cmd.add_flag("!--no-score", o.score, "Skip description scores");
      cmd.add_option("--score-studies", o.score_max_studies, "Held-out studies used for scores (0 = all)")
          ->capture_default_str();
      cmd.add_option("--batch", o.batch_rows, "Embeddings encoded at a time")->capture_default_str();
      cmd.add_option("--seed", o.seed, "Seed (held-out sample)")->capture_default_str();
      a->llm.add_to(cmd);
      return [a] {
        std::unique_ptr<llm::LlmClient> client;
        auto& opts = a->options;
        if (a->describer != "extractive" && a->describer != "llm")
          fail_input("--describer {}: expected extractive or llm", a->describer);
        const bool llm_judge = a->judge == "llm" || (a->judge == "auto" && a->describer == "llm");
        if (a->judge != "auto" && a->judge != "llm" && a->judge != "labeler")
          fail_input("--judge {}: expected labeler, llm or auto", a->judge);
        if (a->describer == "llm" || llm_judge) {
          if (a->llm.url.empty() && a->llm.provider != "anthropic")
            fail_input("--describer llm / --judge llm need --llm-url (or --llm-provider anthropic)");
          client = std::make_unique<llm::LlmClient>(a->llm.config(opts.out));
        }
        opts.dry_run = a->llm.dry_run;
        const InterpretSummary summary = run_interpret(
            opts,
            [&](const InterpretCorpus& corpus) -> std::unique_ptr<Describer> {
              if (a->describer == "llm") return std::make_unique<LlmDescriber>(*client);
              return std::make_unique<ExtractiveDescriber>(corpus.labeler, corpus.reports, corpus.labels);
            },
            [&](const InterpretCorpus& corpus) -> std::unique_ptr<StatementJudge> {
              if (llm_judge) return std::make_unique<LlmStatementJudge>(*client);
              return std::make_unique<LabelerJudge>(corpus.labeler);
            });
        print_summary(summary, client ? client->totals().to_json() : Json());
        if (summary.failed > 0) {
          log_warning(fmt::format("{} features failed (listed in the store's describe_failures; rerun to retry)",
                                  summary.failed));
          throw ExitStatus{1};
        }
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
