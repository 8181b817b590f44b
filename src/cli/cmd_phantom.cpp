// saerad phantom — the synthetic chest X-ray cohort of the demo: images, studies.csv, ground-truth labels.
#include "cli/command.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "demo/phantom_cohort_writer.hpp"

namespace saerad::cli {
namespace {

Registration reg{{
    .name = "phantom",
    .summary = "Generate synthetic chest X-ray studies with known findings (images, studies.csv, labels)",
    .group = Group::Data,
    .setup = [](CLI::App& cmd) -> Runner {
      auto opt = std::make_shared<demo::PhantomOptions>();
      cmd.add_option("--out", opt->out, "Output folder (images/, studies.csv, labels.csv, contact_sheet.png)")
          ->required();
      cmd.add_option("--n", opt->n, "Number of studies")->capture_default_str();
      cmd.add_option("--size", opt->image_size, "Image width and height in pixels")->capture_default_str();
      cmd.add_option("--seed", opt->seed, "Random seed (the cohort is a pure function of it)")->capture_default_str();
      cmd.add_option("--test-fraction", opt->test_fraction, "Fraction of studies in the test split")
          ->capture_default_str()
          ->check(CLI::Range(0.0, 1.0));
      return [opt] {
        const demo::PhantomCohort cohort = demo::write_phantom_cohort(*opt);
        Json summary = {{"studies", cohort.studies.size()},
                        {"manifest", cohort.manifest.string()},
                        {"labels", (opt->out / "labels.csv").string()},
                        {"contact_sheet", (opt->out / "contact_sheet.png").string()}};
        if (json_output())
          print_json(summary);
        else
          log_info("phantom: wrote " + std::to_string(cohort.studies.size()) + " studies to " + cohort.manifest.string());
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
