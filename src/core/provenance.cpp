#include "core/provenance.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "core/threads.hpp"
#include "saerad_build_info.hpp"

namespace saerad {

namespace {
std::string g_command_line;

std::string shell_quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

void set_command_line(int argc, const char* const* argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) {
    if (i) g_command_line += ' ';
    g_command_line += shell_quote(argv[i]);
  }
}

const std::string& command_line() { return g_command_line; }

std::string version_string() { return fmt::format("{} (git {})", SAERAD_VERSION, SAERAD_GIT_HASH); }

std::string utc_timestamp() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json Provenance::to_json() const {
  Json j;
  j["saerad_version"] = SAERAD_VERSION;
  j["git_hash"] = SAERAD_GIT_HASH;
  j["command_line"] = g_command_line;
  j["seed"] = seed ? Json(*seed) : Json(nullptr);
  j["threads"] = thread_count();
  j["created"] = utc_timestamp();
  j["inputs"] = inputs;
  return j;
}

}  // namespace saerad
