#pragma once
// JSON files and machine-readable output (`--json`): one place so every command formats them alike.
#include <filesystem>
#include <nlohmann/json.hpp>

namespace saerad {

using Json = nlohmann::json;

Json read_json_file(const std::filesystem::path& path);                       // error names file + parse fault
void write_json_file(const std::filesystem::path& path, const Json& value);  // atomic, 2-space indent
Json parse_json(std::string_view text, std::string_view what);              // error names `what`

void set_json_output(bool enabled);  // --json: commands print their result as JSON on stdout
bool json_output();
void print_json(const Json& value);  // pretty-printed to stdout + newline

}  // namespace saerad
