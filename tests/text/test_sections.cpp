// The report section parser on MIMIC-CXR-style report files written for these tests (tests/data/text/reports).
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "support/test_support.hpp"
#include "text/sections.hpp"

namespace saerad {
namespace {

ReportSections parse_file(const char* name) {
  return parse_report_sections(read_text_file(testing::test_data_dir() / "text/reports" / name));
}

TEST(Sections, StandardReport) {
  const ReportSections s = parse_file("s50000001.txt");
  EXPECT_EQ(s.indication, "___F with new onset ascites // eval for infection");
  EXPECT_EQ(s.technique, "Chest PA and lateral");
  EXPECT_EQ(s.comparison, "None.");
  // Paragraphs joined; "Note:" (mixed case, unknown) is text, not a header.
  EXPECT_EQ(s.findings,
            "There is no focal consolidation, pleural effusion or pneumothorax. Bilateral nodular opacities that "
            "most likely represent nipple shadows. The cardiomediastinal silhouette is normal. Clips project over "
            "the left lung, potentially within the breast. Note: the imaged upper abdomen is unremarkable.");
  EXPECT_EQ(s.impression, "No acute cardiopulmonary process.");
  EXPECT_FALSE(s.findings_from_last_paragraph);
}

TEST(Sections, MisspelledHeadersAndTheLastImpressionWins) {
  const ReportSections s = parse_file("s50000002.txt");
  EXPECT_EQ(s.history, "Shortness of breath.");
  EXPECT_EQ(s.comparison, "Chest radiograph from ___.");
  EXPECT_EQ(s.findings,
            "Moderate cardiomegaly is unchanged. Small bilateral pleural effusions have slightly increased. Mild "
            "pulmonary vascular congestion.");
  EXPECT_EQ(s.impression, "Mild congestive heart failure, slightly worse.");
}

TEST(Sections, NoFindingsHeaderFallsBackToTheLastParagraph) {
  const ReportSections s = parse_file("s50000003.txt");
  EXPECT_EQ(s.indication, "Evaluate for pneumothorax after line placement.");
  EXPECT_TRUE(s.findings_from_last_paragraph);
  EXPECT_EQ(s.findings,
            "Right internal jugular central venous catheter terminates in the mid SVC. No pneumothorax. Lungs are "
            "clear.");
  EXPECT_EQ(s.impression, "");
}

TEST(Sections, FindingsAndImpressionHeaderIsTheImpression) {
  const ReportSections s = parse_file("s50000004.txt");
  EXPECT_EQ(s.indication, "Cough.");
  EXPECT_EQ(s.findings, "");
  EXPECT_EQ(s.impression,
            "Single frontal view of the chest. Low lung volumes. Patchy left basilar opacity may reflect "
            "atelectasis, though infection cannot be excluded.");
}

TEST(Sections, AliasesAndInlineHeaders) {
  EXPECT_EQ(canonical_section("IMPRESSON"), "impression");
  EXPECT_EQ(canonical_section("Conclusion"), "impression");
  EXPECT_EQ(canonical_section("reason for exam"), "indication");
  EXPECT_EQ(canonical_section("Findings / Impression"), "impression");
  EXPECT_EQ(canonical_section("lungs"), "");
  const ReportSections s = parse_report_sections("Findings: Heart normal.\nImpression: Normal study.");
  EXPECT_EQ(s.findings, "Heart normal.");
  EXPECT_EQ(s.impression, "Normal study.");
}

}  // namespace
}  // namespace saerad
