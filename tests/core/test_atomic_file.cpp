// Atomic output: a writer killed before commit leaves the previous file intact and no stray temp file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

TEST(AtomicFile, KilledWriterLeavesOldFileIntact) {
  TempDir dir;
  const fs::path target = dir / "out.bin";
  write_file_atomic(target, "old contents");
  pid_t pid = ::fork();
  if (pid == 0) {
    AtomicFile file(target);
    file.write(std::string(1 << 20, 'x'));  // half of the new contents…
    ::kill(::getpid(), SIGKILL);            // …then the process dies before commit
    _exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(read_text_file(target), "old contents");
}

TEST(AtomicFile, CommitReplacesAndDestructorCleansUp) {
  TempDir dir;
  const fs::path target = dir / "sub" / "out.txt";  // missing parent directories are created
  {
    AtomicFile file(target);
    file.write("abandoned");
    EXPECT_TRUE(fs::exists(file.temp_path()));
  }  // not committed: temp removed, target never created
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator()), 0);
  write_file_atomic(target, "first");
  write_file_atomic(target, "second");
  EXPECT_EQ(read_text_file(target), "second");
}

}  // namespace
}  // namespace saerad
