// saerad report — compose findings sections from SAE features (extractive or LLM), with provenance.
#include <cstdio>

#include "cli/command.hpp"
#include "cli/llm_options.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "report/composer_extractive.hpp"
#include "report/composer_llm.hpp"
#include "report/report_run.hpp"

namespace saerad::cli {
namespace {

struct ReportArgs {
  ReportRunOptions options;
  std::string composer = "extractive", encoder;
  bool no_indication = false;
  LlmFlags llm;
};

Registration reg{{
    .name = "report",
    .summary = "Write findings sections from active SAE features, with provenance (predictions JSONL)",
    .group = Group::Report,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<ReportArgs>();
      auto& o = a->options;
      cmd.add_option("--sae", o.sae_dir, "SAE directory")->required();
      cmd.add_option("--features", o.features, "Feature store written by `saerad interpret`")->required();
      cmd.add_option("--embeddings", o.embeddings, "Embeddings of the studies to report on");
      cmd.add_option("--ids", o.ids_file, "Ids of a .npy's rows");
      cmd.add_option("--image", o.image, "One image to report on (with --model or --encoder builtin)");
      cmd.add_option("--model", o.model_dir, "DINOv2 / Rad-DINO model folder (for --image)");
      cmd.add_option("--encoder", a->encoder, "builtin: the weight-free builtin encoder (for --image)");
      cmd.add_option("--study-id", o.study_id, "Study id of --image (default: its file name)");
      cmd.add_option("--indication", o.indication, "Indication of --image");
      cmd.add_option("--studies", o.studies, "studies.csv: indications, and --split filtering");
      cmd.add_option("--split", o.split, "Only studies of this split of --studies (e.g. test)");
      cmd.add_flag("--no-indication", a->no_indication, "Do not give the composer the indication");
      cmd.add_flag("--prior-report", o.use_prior_report,
                   "Give the composer the subject's previous report (from --studies: subject_id, study_datetime)");
      cmd.add_option("--out", o.out, "Predictions JSONL (id, report, provenance)");
      cmd.add_flag("--store", o.store, "Also write the reports into the feature store's `reports` table");
      cmd.add_option("--composer", a->composer, "extractive (offline) | llm")->capture_default_str();
      cmd.add_option("--max-features", o.max_features,
                     "At most this many features per report (0 = all; default: the store's recorded setting, else 0)");
      cmd.add_option("--min-importance", o.min_importance,
                     "Leave out features below this importance (default: the store's recorded setting, else 0)");
      a->llm.add_to(cmd);
      return [a] {
        auto& o = a->options;
        if (!a->encoder.empty() && a->encoder != "builtin") fail_input("--encoder {}: expected builtin", a->encoder);
        o.builtin_encoder = a->encoder == "builtin";
        o.use_indication = !a->no_indication;
        if (o.image.empty() && o.out.empty() && !o.store) fail_input("give --out and/or --store (or --image)");
        std::unique_ptr<llm::LlmClient> client;
        std::unique_ptr<ChexpertLabeler> labeler;
        std::unique_ptr<Composer> composer;
        if (a->composer == "llm") {
          if (a->llm.url.empty() && a->llm.provider != "anthropic")
            fail_input("--composer llm needs --llm-url (or --llm-provider anthropic)");
          client = std::make_unique<llm::LlmClient>(a->llm.config(o.features));
          composer = std::make_unique<LlmComposer>(*client);
        } else if (a->composer == "extractive") {
          labeler = std::make_unique<ChexpertLabeler>();
          composer = std::make_unique<ExtractiveComposer>(*labeler);
        } else {
          fail_input("--composer {}: expected extractive or llm", a->composer);
        }
        const ReportRunSummary summary = run_report(o, *composer);
        Json j = summary.to_json();
        if (client) j["llm"] = client->totals().to_json();
        if (json_output()) {
          print_json(j);
        } else if (!summary.single.empty()) {
          std::printf("%s\n", summary.single[0].report.c_str());
          for (const auto& s : summary.single[0].provenance) {
            std::printf("  - %s\n", s["sentence"].get<std::string>().c_str());
            for (const auto& f : s["features"])
              std::printf("      feature %lld (importance %.3f): %s\n", (long long)f["id"].get<int64_t>(),
                          f.value("importance", 0.0), f.value("description", std::string()).c_str());
          }
        } else {
          log_info(fmt::format("report: {} studies, {} with sentences, {} failed, {} with leakage; {:.1f} active "
                               "features, {:.1f} used per study{}",
                               summary.studies, summary.with_sentences, summary.failed, summary.leakage,
                               summary.mean_active, summary.mean_used, o.out.empty() ? "" : " → " + o.out.string()));
        }
        if (summary.failed > 0) throw ExitStatus{1};
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
