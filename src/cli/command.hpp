#pragma once
// Each `saerad <command>` lives in its own file (cmd_<name>.cpp) and registers itself:
//
//   static saerad::cli::Registration reg{{
//       .name = "inspect", .summary = "Describe a safetensors or .npy file", .group = Group::Tools,
//       .setup = [](CLI::App& cmd) -> Runner {
//         auto path = std::make_shared<std::string>();
//         cmd.add_option("file", *path, "...")->required();
//         return [path] { inspect(*path); };
//       }}};
//
// setup() declares the options and returns the action main() runs after a successful parse, once the
// global options (--threads, --quiet, --json) are applied: read them with saerad::thread_count(),
// is_quiet(), json_output(). Actions call into libsaerad and throw saerad::Error on failure (main prints it
// once; InputError exits 2, other errors 1). An action may return a non-zero status via ExitStatus.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace saerad::cli {

// The order commands are listed in `saerad --help`: the pipeline's order.
enum class Group { Data = 0, Embed = 1, Sae = 2, Interpret = 3, Report = 4, Evaluate = 5, View = 6, Tools = 7 };

// Thrown by an action that finished its work but must exit non-zero (e.g. some images failed).
struct ExitStatus {
  int code;
};

using Runner = std::function<void()>;

struct Command {
  std::string name;
  std::string summary;
  Group group = Group::Tools;
  std::function<Runner(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Registration {
  explicit Registration(Command command) { registry().push_back(std::move(command)); }
};

}  // namespace saerad::cli
