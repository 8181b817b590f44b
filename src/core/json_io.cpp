#include "core/json_io.hpp"

#include <cstdio>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace saerad {

namespace {
bool g_json_output = false;
}

Json parse_json(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    fail_input("{}: invalid JSON: {}", what, e.what());
  }
}

Json read_json_file(const std::filesystem::path& path) { return parse_json(read_text_file(path), path.string()); }

void write_json_file(const std::filesystem::path& path, const Json& value) {
  write_file_atomic(path, value.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

void set_json_output(bool enabled) { g_json_output = enabled; }
bool json_output() { return g_json_output; }

void print_json(const Json& value) {
  std::string text = value.dump(2, ' ', false, Json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace saerad
