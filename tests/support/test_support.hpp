#pragma once
// Helpers shared by all tests: a temporary directory, running the saerad binary, test-data locations.
#include <filesystem>
#include <string>
#include <vector>

namespace saerad::testing {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built `saerad` binary with `args` (not through a shell), capturing stdout and stderr.
CommandResult run_saerad(const std::vector<std::string>& args, const fs::path& cwd = {});
// Runs any program the same way.
CommandResult run_program(const std::vector<std::string>& argv, const fs::path& cwd = {});

fs::path test_data_dir();   // tests/data
fs::path shared_dir();      // ../shared (may be absent: tests that need it skip with a message)
fs::path saerad_binary();
fs::path source_dir();
// The Python of the test tooling venv (scripts/setup-test-python.sh): $SAERAD_TEST_PYTHON, else
// <source>/.venv-test/bin/python; empty when neither exists (tests that need it then GTEST_SKIP, and
// .ci/run always creates it).
fs::path test_python();

}  // namespace saerad::testing

// Skips the current test when ../shared (or a file in it) is missing.
#define SAERAD_REQUIRE_SHARED(relative)                                                          \
  do {                                                                                           \
    if (!std::filesystem::exists(saerad::testing::shared_dir() / (relative)))                    \
      GTEST_SKIP() << "needs ../shared/" << (relative) << " (absent here)";                      \
  } while (0)
