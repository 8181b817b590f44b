// Reading predictions / references / label CSVs, id matching and leakage.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "eval/label_csv.hpp"
#include "eval/leakage.hpp"
#include "eval/report_files.hpp"
#include "support/test_support.hpp"

namespace saerad::eval {
namespace {

using testing::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ReportFiles, ReadsJsonlWithProvenanceAndIntegerIds) {
  const auto r = parse_report_jsonl(
      "{\"id\": \"s1\", \"report\": \"No effusion.\", \"provenance\": []}\n\n{\"id\": 42, \"report\": \"Clear.\"}\n",
      "p.jsonl");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, "s1");
  EXPECT_TRUE(r[0].provenance.is_array());
  EXPECT_EQ(r[1].id, "42");
  EXPECT_TRUE(r[1].provenance.is_null());
}

TEST(ReportFiles, ErrorsNameFileAndLine) {
  EXPECT_NE(error_of([] { parse_report_jsonl("{\"id\": \"a\", \"report\": \"x\"}\n{\"id\": \"b\"}\n", "p.jsonl"); })
                .find("p.jsonl:2: missing \"report\""),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_report_jsonl("{\"id\": \"a\", \"report\": \"x\"}\n{oops\n", "p.jsonl"); }).find("p.jsonl:2"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_report_jsonl("{\"id\": \"a\", \"report\": \"x\"}\n{\"id\": \"a\", \"report\": \"y\"}\n", "p.jsonl");
            }).find("p.jsonl:2: duplicate id 'a' (first on line 1)"),
            std::string::npos);
}

TEST(ReportFiles, TextFilesAreOneReportPerLineIdByLineNumber) {
  const auto r = parse_report_lines("first report\r\n\nthird report\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].report, "first report");
  EXPECT_EQ(r[1].report, "");
  EXPECT_EQ(r[2].id, "3");
}

TEST(ReportFiles, DetectsJsonlByContent) {
  TempDir dir;
  write_file_atomic(dir / "refs.txt", "{\"id\": \"x\", \"report\": \"Normal.\"}\n");
  write_file_atomic(dir / "plain.txt", "Normal chest.\n");
  EXPECT_EQ(read_report_file(dir / "refs.txt")[0].id, "x");
  EXPECT_EQ(read_report_file(dir / "plain.txt")[0].report, "Normal chest.");
}

TEST(ReportFiles, MatchingReportsMissingAndExtra) {
  const std::vector<EvalReport> preds = {{"a", "x", {}}, {"c", "y", {}}, {"z", "w", {}}};
  const std::vector<EvalReport> refs = {{"a", "x", {}}, {"b", "y", {}}, {"c", "y", {}}};
  const auto m = match_reports(preds, refs);
  EXPECT_EQ(m.prediction, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(m.reference, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(m.missing, std::vector<std::string>{"b"});
  EXPECT_EQ(m.extra, std::vector<std::string>{"z"});
}

std::string label_header() {
  std::string h = "study_id,Reports";
  for (auto name : kObservations) h += "," + std::string(name);
  return h + "\n";
}

TEST(LabelCsv, ReadsByIdColumnAndByPosition) {
  TempDir dir;
  // 14 label fields: Cardiomegaly (index 2) = 1.0, Edema (5) = -1, the rest blank.
  const std::string row_a = "s1,text,,,1.0,,,-1,,,,,,,,\n";
  const std::string row_b = "s2,text,1,,,,,,,,,,,,,\n";
  write_file_atomic(dir / "with_ids.csv", label_header() + row_a + row_b);
  const auto table = read_label_csv(dir / "with_ids.csv", {"study_id"});
  ASSERT_TRUE(table.has_ids);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].labels[*observation_index("Cardiomegaly")], 1);
  EXPECT_EQ(table.rows[0].labels[*observation_index("Edema")], -1);
  EXPECT_FALSE(table.rows[0].labels[*observation_index("Fracture")].has_value());
  const std::vector<EvalReport> reports = {{"s2", "", {}}, {"s1", "", {}}};
  EXPECT_EQ(labels_by_id(table, reports).at("s2")[0], 1);

  const auto positional = read_label_csv(dir / "with_ids.csv", {"no_such_column"});
  EXPECT_FALSE(positional.has_ids);
  EXPECT_EQ(labels_by_id(positional, reports).at("s2")[*observation_index("Cardiomegaly")], 1);  // row 1 ↔ s2
  EXPECT_THROW(labels_by_id(positional, {{"only", "", {}}}), InputError);
}

TEST(LabelCsv, RejectsBadValuesNamingTheCell) {
  TempDir dir;
  write_file_atomic(dir / "bad.csv", label_header() + "s1,text,,,2,,,,,,,,,,,\n");
  const std::string message = error_of([&] { read_label_csv(dir / "bad.csv", {"study_id"}); });
  EXPECT_NE(message.find("bad.csv:2"), std::string::npos) << message;
  EXPECT_NE(message.find("Cardiomegaly"), std::string::npos) << message;
}

TEST(Leakage, FlagsStudiesThatAreExamplesOfTheirOwnFeatures) {
  const Json leaky = Json::parse(R"([{"sentence": "Cardiomegaly.", "features": [
      {"id": 3, "importance": 0.5, "description": "enlarged heart", "examples": ["s9", "s1"]}]}])");
  const Json clean = Json::parse(R"([{"sentence": "Clear lungs.", "features": [
      {"id": 4, "importance": 0.2, "description": "clear", "examples": ["s7"]}]}])");
  const Prediction a{"s1", "Cardiomegaly.", leaky}, b{"s2", "Clear lungs.", clean}, c{"s9", "x", Json()};
  const Leakage l = find_leakage({&a, &b, &c});
  EXPECT_TRUE(l.checked);
  EXPECT_EQ(l.leaked, std::vector<std::string>{"s1"});
  const Leakage none = find_leakage({&c});
  EXPECT_FALSE(none.checked);
  EXPECT_TRUE(none.leaked.empty());
}

}  // namespace
}  // namespace saerad::eval
