// saerad: the command-line entry point. Parses global options, dispatches to the registered commands,
// and turns every error into one message and a non-zero exit status.
#include <cstdio>
#include <cstdlib>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/threads.hpp"

namespace saerad::cli {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

namespace {
const char* group_name(Group g) {
  switch (g) {
    case Group::Data: return "Data";
    case Group::Embed: return "Embed";
    case Group::Sae: return "Sparse autoencoders";
    case Group::Interpret: return "Interpret";
    case Group::Report: return "Report";
    case Group::Evaluate: return "Evaluate";
    case Group::View: return "View";
    case Group::Tools: return "Tools";
  }
  return "Tools";
}
}  // namespace

int run(int argc, char** argv) {
  set_command_line(argc, argv);
  CLI::App app{"saerad — interpretable chest X-ray report generation with sparse autoencoders (SAE-Rad)", "saerad"};
  app.set_version_flag("--version", version_string());
  app.require_subcommand(1);
  app.fallthrough();
  int threads = 0;
  bool quiet = false, json = false;
  app.add_option("--threads", threads, "Threads for OpenMP and OpenBLAS (0 = all cores)")->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No progress or summaries on stderr");
  app.add_flag("--json", json, "Machine-readable JSON on stdout (commands that have a result)");

  auto& commands = registry();
  std::stable_sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) {
    return a.group != b.group ? a.group < b.group : a.name < b.name;
  });
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.summary);
    sub->group(group_name(command.group));
    sub->fallthrough();
    runners.emplace_back(sub, command.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  set_thread_count(threads);
  set_quiet(quiet);
  set_json_output(json);
  for (auto& [sub, runner] : runners) {
    if (!sub->parsed()) continue;
    try {
      runner();
    } catch (const ExitStatus& status) {
      return status.code;
    }
  }
  return 0;
}

}  // namespace saerad::cli

int main(int argc, char** argv) {
  saerad::reexec_with_passive_openmp_wait(argv);
  try {
    return saerad::cli::run(argc, argv);
  } catch (const saerad::InputError& e) {
    std::fprintf(stderr, "saerad: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "saerad: error: %s\n", e.what());
    return 1;
  }
}
