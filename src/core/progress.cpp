#include "core/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace saerad {

namespace {
std::atomic<bool> g_quiet{false};
std::mutex g_stderr_mutex;
}  // namespace

void set_quiet(bool quiet) { g_quiet = quiet; }
bool is_quiet() { return g_quiet; }

void log_info(const std::string& line) {
  if (g_quiet) return;
  std::lock_guard lock(g_stderr_mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
}

void log_warning(const std::string& line) {
  std::lock_guard lock(g_stderr_mutex);
  std::fprintf(stderr, "warning: %s\n", line.c_str());
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) return fmt::format("{:.1f}s", s);
  auto total = int64_t(s + 0.5);
  if (total < 3600) return fmt::format("{}:{:02}", total / 60, total % 60);
  return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

Progress::Progress(std::string stage, int64_t total, std::string unit)
    : stage_(std::move(stage)), unit_(std::move(unit)), total_(total), start_(std::chrono::steady_clock::now()),
      last_render_(start_), tty_(::isatty(STDERR_FILENO) != 0 && std::getenv("CI") == nullptr) {}

Progress::~Progress() { finish(); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t n) {
  done_ += n;
  if (tty_ && !g_quiet) render(false);
}

void Progress::set_done(int64_t done) {
  done_ = done;
  if (tty_ && !g_quiet) render(false);
}

void Progress::set_status(std::string status) {
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!g_quiet) render(true);
}

void Progress::render(bool final_line) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() && !final_line) return;
  if (!lock.owns_lock()) lock.lock();
  auto now = std::chrono::steady_clock::now();
  if (!final_line && now - last_render_ < std::chrono::milliseconds(100)) return;
  last_render_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t done = done_;
  const double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
  std::string line;
  if (final_line) {
    line = fmt::format("{}: {} {} in {} ({:.1f} {}/s)", stage_, done, unit_, format_duration(elapsed), rate, unit_);
  } else if (total_ > 0) {
    const double eta = rate > 0 ? double(total_ - done) / rate : NAN;
    line = fmt::format("{}: {}/{} {} {:3.0f}% {:.1f} {}/s ETA {}", stage_, done, total_, unit_,
                       100.0 * double(done) / double(total_), rate, unit_, format_duration(eta));
  } else {
    line = fmt::format("{}: {} {} {:.1f} {}/s", stage_, done, unit_, rate, unit_);
  }
  if (!status_.empty()) line += " | " + status_;
  std::lock_guard out(g_stderr_mutex);
  if (tty_)
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace saerad
