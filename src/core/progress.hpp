#pragma once
// Progress for long work: on a TTY a live line (done/total, rate, ETA, an optional status such as loss);
// otherwise one summary line per stage when it finishes; nothing at all with --quiet. Thread-safe.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace saerad {

void set_quiet(bool quiet);
bool is_quiet();
// Prints a line to stderr unless quiet (stage summaries, warnings).
void log_info(const std::string& line);
void log_warning(const std::string& line);

class Progress {
 public:
  Progress(std::string stage, int64_t total, std::string unit = "items");
  ~Progress();  // finishes if not finished
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t n = 1);
  void set_done(int64_t done);
  void set_status(std::string status);  // shown after the rate, e.g. "loss 0.123 L0 14.2"
  void finish();
  double elapsed_seconds() const;
  int64_t done() const { return done_.load(); }

 private:
  void render(bool final_line);
  std::string stage_, unit_, status_;
  int64_t total_;
  std::atomic<int64_t> done_{0};
  std::chrono::steady_clock::time_point start_, last_render_;
  std::mutex mutex_;
  bool tty_, finished_ = false;
};

std::string format_duration(double seconds);  // "1:02:03" / "2:03" / "4.1s"

}  // namespace saerad
