#pragma once
// Sections of a free-text radiology report (MIMIC-CXR style):
//   FINAL REPORT / EXAMINATION: ... / INDICATION: ... / COMPARISON: ... / FINDINGS: ... / IMPRESSION: ...
// A header is a line starting with a known section name (any case; the usual aliases and misspellings of
// MIMIC-CXR's own section parser: "FINDNGS", "IMPRESSON", "CONCLUSION", "REASON FOR EXAM", "FINDINGS AND
// IMPRESSION" → impression, ...) followed by ':' — or any other upper-case name followed by ':' (TECHNIQUE,
// WET READ, ...), which ends the previous section. The text of a section is whitespace-collapsed. When a
// section occurs more than once the last one wins (addenda repeat impressions). A report with neither findings
// nor impression falls back to its last paragraph, as findings.
#include <string>
#include <string_view>

namespace saerad {

struct ReportSections {
  std::string indication, comparison, findings, impression, history, technique;
  bool findings_from_last_paragraph = false;  // no FINDINGS/IMPRESSION header: findings = the last paragraph
};

ReportSections parse_report_sections(std::string_view report);

// The canonical section a header name stands for ("impresson" → "impression"), or "" when unknown.
std::string_view canonical_section(std::string_view header);

}  // namespace saerad
