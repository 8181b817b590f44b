// saerad demo — the whole pipeline on the synthetic phantom cohort, ending in demo/index.html.
#include "cli/command.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "demo/demo_pipeline.hpp"

namespace saerad::cli {
namespace {

Registration reg{{
    .name = "demo",
    .summary = "Run all of SAE-Rad on a synthetic cohort with known ground truth and write demo/index.html",
    .group = Group::Tools,
    .setup = [](CLI::App& cmd) -> Runner {
      auto opt = std::make_shared<demo::DemoOptions>();
      cmd.add_option("--out", opt->out, "Output folder (index.html, metrics.json and the stages' files)")
          ->capture_default_str();
      cmd.add_option("--n", opt->n, "Number of phantom studies")->capture_default_str()->check(CLI::Range(40, 200000));
      cmd.add_option("--size", opt->image_size, "Phantom image size in pixels")->capture_default_str();
      cmd.add_option("--seed", opt->seed, "Random seed (cohort, split, SAE)")->capture_default_str();
      cmd.add_option("--model", opt->model_dir, "DINOv2 / Rad-DINO model folder (default: the builtin encoder)");
      cmd.add_option("--llm-url", opt->llm_url,
                     "OpenAI-compatible server for descriptions and reports, e.g. http://127.0.0.1:8080/v1");
      cmd.add_option("--llm-model", opt->llm_model, "Model name sent to the LLM server");
      cmd.add_option("--expansion", opt->expansion, "SAE expansion factor")->capture_default_str();
      cmd.add_option("--steps", opt->steps, "SAE optimizer steps (default: by cohort size)");
      return [opt] {
        const Json metrics = demo::run_demo(*opt);
        if (json_output()) {
          print_json(metrics);
          return;
        }
        log_info("demo: concept recovery mean AUROC " + metrics["concept_recovery"]["mean"].dump() +
                 ", CheXpert micro-F1-14 " +
                 metrics["chexpert"]["uncertain_as_negative"].value("micro_f1_14", Json()).dump() +
                 " (random training report " +
                 metrics["random_training_report"]["chexpert"]["uncertain_as_negative"].value("micro_f1_14", Json()).dump() +
                 ")");
        log_info("demo: open " + (opt->out / "index.html").string());
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
