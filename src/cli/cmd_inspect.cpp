// saerad inspect FILE... — tensors, dtypes, shapes, metadata and provenance of safetensors / .npy files.
#include <cstdio>

#include "cli/command.hpp"
#include "core/inspect.hpp"
#include "core/json_io.hpp"

namespace saerad::cli {
namespace {

struct InspectArgs {
  std::vector<std::string> files;
  InspectOptions options;
};

Registration reg{{
    .name = "inspect",
    .summary = "Show the tensors, dtypes, shapes, metadata and provenance of safetensors/.npy files or an SAE dir",
    .group = Group::Tools,
    .setup = [](CLI::App& cmd) -> Runner {
      auto args = std::make_shared<InspectArgs>();
      cmd.add_option("files", args->files, "safetensors / .npy files or directories")->required();
      cmd.add_flag("--stats", args->options.stats, "Value statistics per tensor (min, max, mean, std, non-finite)");
      return [args] {
        Json all = Json::array();
        for (const auto& f : args->files) {
          Json j = inspect_file(f, args->options);
          if (json_output())
            all.push_back(std::move(j));
          else
            std::fputs(format_inspection(j).c_str(), stdout);
        }
        if (json_output()) print_json(all.size() == 1 ? all[0] : all);
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
