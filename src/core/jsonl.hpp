#pragma once
// JSON Lines input: one JSON object per line; blank lines ignored; a line that is not a JSON object is
// reported as "file:line: problem; skipped" (log_warning) and counted.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/json_io.hpp"

namespace saerad {

// Calls on_object(where = "file:line", object) for each object; returns how many lines were skipped.
size_t for_each_jsonl_object(const std::filesystem::path& path,
                             const std::function<void(const std::string& where, const Json& object)>& on_object);

// A field as text: strings as they are, other values as their JSON; nullopt when absent or null.
std::optional<std::string> json_text_field(const Json& object, const std::string& key);

}  // namespace saerad
