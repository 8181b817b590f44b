#include "core/jsonl.hpp"

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"

namespace saerad {

size_t for_each_jsonl_object(const std::filesystem::path& path,
                             const std::function<void(const std::string& where, const Json& object)>& on_object) {
  const std::string content = read_text_file(path);
  size_t skipped = 0, line_no = 0;
  for (const std::string& line : split(content, '\n')) {
    ++line_no;
    if (trim(line).empty()) continue;
    const std::string where = fmt::format("{}:{}", path.string(), line_no);
    Json j;
    try {
      j = Json::parse(line);
    } catch (const std::exception& e) {
      log_warning(fmt::format("{}: not JSON ({}); skipped", where, e.what()));
      ++skipped;
      continue;
    }
    if (!j.is_object()) {
      log_warning(fmt::format("{}: not a JSON object; skipped", where));
      ++skipped;
      continue;
    }
    on_object(where, j);
  }
  return skipped;
}

std::optional<std::string> json_text_field(const Json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return std::nullopt;
  const Json& v = object[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace saerad
