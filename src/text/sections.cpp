#include "text/sections.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "core/strings.hpp"

namespace saerad {

namespace {

// Header aliases (lowercase, single spaces), after MIMIC-CXR's section_parser.py frequent_sections.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"findings", "findings"},
    {"finding", "findings"},
    {"findins", "findings"},
    {"findindgs", "findings"},
    {"findgings", "findings"},
    {"findngs", "findings"},
    {"findnings", "findings"},
    {"finidngs", "findings"},
    {"fidnings", "findings"},
    {"reference findings", "findings"},
    {"chest, two views", "findings"},
    {"pa and lateral views of the chest", "findings"},
    {"impression", "impression"},
    {"impressions", "impression"},
    {"impresson", "impression"},
    {"imprression", "impression"},
    {"imoression", "impression"},
    {"impressoin", "impression"},
    {"imprssion", "impression"},
    {"impresion", "impression"},
    {"imperssion", "impression"},
    {"mpression", "impression"},
    {"impession", "impression"},
    {"conclusion", "impression"},
    {"conclusions", "impression"},
    {"findings and impression", "impression"},
    {"findings/impression", "impression"},
    {"findings/ impression", "impression"},
    {"findings / impression", "impression"},
    {"impression and findings", "impression"},
    {"indication", "indication"},
    {"indications", "indication"},
    {"ndication", "indication"},
    {"idication", "indication"},
    {"clinical indication", "indication"},
    {"reason for examination", "indication"},
    {"reason for exam", "indication"},
    {"reason for study", "indication"},
    {"comparison", "comparison"},
    {"comparisons", "comparison"},
    {"comparision", "comparison"},
    {"comparsion", "comparison"},
    {"comparrison", "comparison"},
    {"comparisions", "comparison"},
    {"comparison exam", "comparison"},
    {"comparison film", "comparison"},
    {"comparison study", "comparison"},
    {"reference exam", "comparison"},
    {"prior", "comparison"},
    {"prior studies", "comparison"},
    {"history", "history"},
    {"clinical history", "history"},
    {"clinical information", "history"},
    {"patient history", "history"},
    {"pfi", "history"},
    {"technique", "technique"},
    {"examination", "examination"},
    {"exam", "examination"},
    {"type of examination", "examination"},
    {"addendum", "addendum"},
    {"wet read", "wet read"},
    {"wetread", "wet read"},
    {"notification", "notification"},
    {"recommendation", "recommendations"},
    {"recommendations", "recommendations"},
    {"recommendation(s)", "recommendations"},
    {"comment", "comment"},
    {"comments", "comment"},
    {"date", "date"},
};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Header {
  size_t begin;              // offset of the header name
  size_t text_begin;         // offset right after "NAME:"
  std::string_view section;  // canonical name, "other" for unknown upper-case headers
};

// A header candidate at the start of a line: up to ~40 characters of letters, spaces and ()/,&- before ':'.
std::optional<Header> header_at(std::string_view text, size_t line_begin) {
  size_t b = line_begin;
  while (b < text.size() && (text[b] == ' ' || text[b] == '\t')) ++b;
  size_t e = b;
  while (e < text.size() && e - b <= 40) {
    const char c = text[e];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '(' || c == ')' || c == '/' || c == ',' ||
        c == '&' || c == '-')
      ++e;
    else
      break;
  }
  if (e >= text.size() || text[e] != ':' || e == b) return std::nullopt;
  const std::string_view raw = text.substr(b, e - b);
  const std::string name = collapse_whitespace(to_lower(raw));
  const std::string_view canonical = canonical_section(name);
  if (!canonical.empty()) return Header{b, e + 1, canonical};
  // Unknown names end a section only when written as headers are: upper case.
  bool upper = true, any_alpha = false;
  for (char c : raw) {
    if (std::islower(static_cast<unsigned char>(c))) upper = false;
    if (std::isalpha(static_cast<unsigned char>(c))) any_alpha = true;
  }
  if (upper && any_alpha && name.size() >= 3) return Header{b, e + 1, "other"};
  return std::nullopt;
}

// Offset where a blank line follows some text (or the end).
size_t end_of_first_paragraph(std::string_view text) {
  bool seen_text = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      seen_text = seen_text || !is_space(text[i]);
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
    if (seen_text && j < text.size() && text[j] == '\n') return i;
  }
  return text.size();
}

// The last non-empty paragraph (paragraphs are separated by blank lines), trimmed.
std::string_view last_paragraph(std::string_view text) {
  std::string_view best;
  size_t start = 0;
  while (start < text.size()) {
    const size_t len = end_of_first_paragraph(text.substr(start));
    const std::string_view para = trim(text.substr(start, len));
    if (!para.empty()) best = para;
    start += len + 1;
  }
  return best;
}

}  // namespace

std::string_view canonical_section(std::string_view header) {
  const std::string name = collapse_whitespace(to_lower(header));
  for (const auto& [alias, canonical] : kAliases)
    if (alias == name) return canonical;
  return {};
}

ReportSections parse_report_sections(std::string_view text) {
  std::vector<Header> headers;
  for (size_t line = 0; line < text.size();) {
    if (auto h = header_at(text, line)) headers.push_back(*h);
    const size_t nl = text.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  ReportSections out;
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string_view s = headers[i].section;
    const size_t begin = headers[i].text_begin;
    size_t end = i + 1 < headers.size() ? headers[i + 1].begin : text.size();
    // Findings and impression run to the next header (they have paragraphs); the short sections end at their
    // first blank line, so that un-headed report text after "COMPARISON: None." is not taken for comparison.
    if (s != "findings" && s != "impression")
      end = std::min(end, begin + end_of_first_paragraph(text.substr(begin, end - begin)));
    std::string body = collapse_whitespace(text.substr(begin, end - begin));
    std::string* target = s == "findings"     ? &out.findings
                          : s == "impression" ? &out.impression
                          : s == "indication" ? &out.indication
                          : s == "comparison" ? &out.comparison
                          : s == "history"    ? &out.history
                          : s == "technique"  ? &out.technique
                                              : nullptr;
    // The last non-empty occurrence wins (an addendum's impression replaces the first).
    if (target && !body.empty()) *target = std::move(body);
  }
  if (out.findings.empty() && out.impression.empty()) {
    // The last paragraph, unless it is itself a headed section (then the report has no findings text).
    const std::string_view last = last_paragraph(text);
    if (!last.empty() && !header_at(last, 0)) {
      out.findings = collapse_whitespace(last);
      out.findings_from_last_paragraph = true;
    }
  }
  return out;
}

}  // namespace saerad
