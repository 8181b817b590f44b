#include "support/test_support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

extern char** environ;

namespace saerad::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("saerad-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter++) + "-" + std::to_string(rd() % 100000));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

CommandResult run_program(const std::vector<std::string>& argv, const fs::path& cwd) {
  TempDir io;
  const fs::path out_path = io / "stdout", err_path = io / "stderr";
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(127);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::dup2(in, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

CommandResult run_saerad(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv{SAERAD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, cwd);
}

fs::path test_data_dir() { return SAERAD_TEST_DATA; }
fs::path shared_dir() { return fs::weakly_canonical(fs::path(SAERAD_SHARED_DIR)); }
fs::path saerad_binary() { return SAERAD_BINARY; }
fs::path source_dir() { return SAERAD_SOURCE_DIR; }

fs::path test_python() {
  if (const char* env = std::getenv("SAERAD_TEST_PYTHON"); env && *env && fs::exists(env)) return env;
  fs::path venv = source_dir() / ".venv-test" / "bin" / "python";
  return fs::exists(venv) ? venv : fs::path();
}

}  // namespace saerad::testing
