// saerad info DIR (or --sae DIR) — architecture, sizes, hyper-parameters, metrics and density of an SAE.
#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "sae/sae_info.hpp"

namespace saerad::cli {
namespace {

struct InfoArgs {
  std::string positional, sae;
};

Registration reg{{
    .name = "info",
    .summary = "Describe an SAE directory: architecture, sizes, hyper-parameters, metrics, feature density",
    .group = Group::Sae,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<InfoArgs>();
      cmd.add_option("dir", a->positional, "SAE directory");
      cmd.add_option("--sae", a->sae, "SAE directory (same as the positional argument)");
      return [a] {
        const std::string dir = a->sae.empty() ? a->positional : a->sae;
        if (dir.empty()) fail_input("info: give an SAE directory (saerad info DIR or --sae DIR)");
        const Json info = sae_info(dir);
        if (json_output())
          print_json(info);
        else
          std::fputs(format_sae_info(info).c_str(), stdout);
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
