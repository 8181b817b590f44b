// `saerad label` end to end: the labeler's sample through the CLI reproduces labeled_reports.csv byte for byte;
// a studies.csv with repeated ids and empty reports; JSONL; --text; errors.
#include <gtest/gtest.h>

#include <fstream>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/json_io.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

namespace fs = std::filesystem;

TEST(CliLabel, SampleWithoutHeaderReproducesTheLabelersCsv) {
  testing::TempDir dir;
  const fs::path out = dir / "labels.csv";
  const auto r =
      testing::run_saerad({"--quiet", "label", "--no-header", "--reports",
                           (testing::test_data_dir() / "text/sample_reports.csv").string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text_file(out), read_text_file(testing::test_data_dir() / "text/labeled_reports.csv"));
  EXPECT_TRUE(fs::exists(dir / "labels.run.json"));
}

TEST(CliLabel, ManifestColumnsIdsAndSummary) {
  testing::TempDir dir;
  const fs::path in = dir / "studies.csv", out = dir / "labels.csv";
  std::ofstream(in) << "study_id,image_id,findings,impression\n"
                       "s1,a,No effusion.,Normal.\n"
                       "s1,b,No effusion.,Normal.\n"  // second image of s1: labelled once
                       "s2,c,Small left effusion.,\"Effusion, possible pneumonia.\"\n"
                       "s3,d,,\n";  // no text: left out
  const auto r = testing::run_saerad({"--json", "label", "--reports", in.string(), "--column", "findings+impression",
                                      "--id-column", "study_id", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json summary = parse_json(r.out, "stdout");
  EXPECT_EQ(summary["rows"], 4);
  EXPECT_EQ(summary["labelled"], 2);
  EXPECT_EQ(summary["duplicate_ids"], 1);
  EXPECT_EQ(summary["empty"], 1);
  EXPECT_EQ(summary["counts"]["Pleural Effusion"]["positive"], 1);
  EXPECT_EQ(summary["counts"]["Pleural Effusion"]["negative"], 1);
  EXPECT_EQ(summary["counts"]["Pneumonia"]["uncertain"], 1);
  CsvTable table(CsvReader::open(out));
  ASSERT_EQ(table.header().size(), 16u);
  EXPECT_EQ(table.header()[0], "study_id");
  EXPECT_EQ(table.header()[1], "Reports");
  EXPECT_EQ(table.header()[15], "Support Devices");
  std::vector<std::string> row;
  ASSERT_TRUE(table.next(row));
  EXPECT_EQ(row[0], "s1");
  EXPECT_EQ(row[1], "No effusion. Normal.");
  EXPECT_EQ(row[2], "1.0");           // No Finding
  EXPECT_EQ(row[1 + 1 + 10], "0.0");  // Pleural Effusion
  ASSERT_TRUE(table.next(row));
  EXPECT_EQ(row[0], "s2");
  EXPECT_EQ(row[2], "");
  EXPECT_EQ(row[1 + 1 + 7], "-1.0");  // Pneumonia
  EXPECT_FALSE(table.next(row));
}

TEST(CliLabel, JsonlTextAndErrors) {
  testing::TempDir dir;
  const fs::path in = dir / "preds.jsonl", out = dir / "labels.csv";
  std::ofstream(in) << "{\"id\": \"a\", \"report\": \"Mild cardiomegaly.\"}\n{\"id\": \"b\"}\nbroken\n";
  auto r = testing::run_saerad(
      {"label", "--reports", in.string(), "--column", "report", "--id-column", "id", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("preds.jsonl:2: missing key 'report'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("preds.jsonl:3: not JSON"), std::string::npos) << r.err;
  EXPECT_NE(read_text_file(out).find("a,Mild cardiomegaly.,,,1.0,"), std::string::npos) << read_text_file(out);

  r = testing::run_saerad({"--json", "label", "--text", "No pneumothorax. Possible pneumonia."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = parse_json(r.out, "stdout");
  EXPECT_EQ(j["Pneumothorax"], 0);
  EXPECT_EQ(j["Pneumonia"], -1);
  EXPECT_TRUE(j["Edema"].is_null());
  r = testing::run_saerad({"label", "--text", "No pneumothorax.", "--explain"});
  EXPECT_NE(r.out.find("neg Pneumothorax"), std::string::npos) << r.out;

  r = testing::run_saerad({"label", "--reports", in.string(), "--column", "nope", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  r = testing::run_saerad({"label", "--reports", (dir / "studies.csv").string(), "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("studies.csv"), std::string::npos) << r.err;
  r = testing::run_saerad({"label", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace saerad
