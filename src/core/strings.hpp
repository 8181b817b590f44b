#pragma once
// Small string helpers shared by every module (ASCII semantics; text is UTF-8 and passed through).
#include <string>
#include <string_view>
#include <vector>

namespace saerad {

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);            // keeps empty fields
std::vector<std::string> split_whitespace(std::string_view s);           // drops empty fields
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string replace_all(std::string s, std::string_view from, std::string_view to);
bool iequals(std::string_view a, std::string_view b);
std::string collapse_whitespace(std::string_view s);  // runs of whitespace → one space, trimmed
std::string html_escape(std::string_view s);          // & < > " for HTML/SVG text and attribute values

}  // namespace saerad
