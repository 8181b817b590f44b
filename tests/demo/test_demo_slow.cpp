// `saerad demo --n 400` end to end: the files exist, every link of index.html is a relative path that
// resolves under demo/, the SAE recovers the ground-truth concepts (mean test AUROC ≥ 0.75, chance 0.5), the
// generated reports beat a random training study's report by ≥ 0.15 CheXpert micro-F1 (14), the labeler
// reads the generated cohort's reports back through `saerad label`, `saerad report --image` with the builtin
// encoder accepts the demo's SAE (its standardisation folded in) and reproduces a demo report, and the page
// renders in headless Chromium without errors (screenshot to ci-artifacts/demo/).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <map>
#include <regex>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/json_io.hpp"
#include "core/strings.hpp"
#include "demo/demo_page.hpp"
#include "support/test_support.hpp"

namespace saerad::demo {
namespace {

namespace fs = std::filesystem;

// The non-empty lines of a JSONL file.
std::vector<std::string> jsonl_lines(const fs::path& path) {
  std::vector<std::string> lines;
  for (auto& line : split(read_text_file(path), '\n'))
    if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

// ctest runs every test in its own process, so the demo runs once per build into a shared directory of the
// build tree (guarded by a lock; rerun when the saerad binary is newer than the run) and each test reads it.
class DemoRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path run = fs::absolute("demo-test-run");
    const int lock = ::open((run.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    ::flock(lock, LOCK_EX);
    const fs::path stamp = run / "exit_code";
    const bool fresh = fs::exists(stamp) && fs::last_write_time(stamp) > fs::last_write_time(saerad::testing::saerad_binary());
    result_ = new saerad::testing::CommandResult();
    if (!fresh) {
      fs::remove_all(run);
      fs::create_directories(run);
      *result_ = saerad::testing::run_saerad({"demo", "--n", "400", "--seed", "1", "--out", (run / "demo").string()});
      write_file_atomic(run / "stderr", result_->err);
      write_file_atomic(stamp, std::to_string(result_->exit_code));
    } else {
      result_->exit_code = std::stoi(read_text_file(stamp));
      result_->err = read_text_file(run / "stderr");
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    out_ = new fs::path(run / "demo");
  }
  static void TearDownTestSuite() {
    delete result_;
    delete out_;
  }
  static fs::path out() { return *out_; }
  static fs::path* out_;
  static saerad::testing::CommandResult* result_;
};
fs::path* DemoRun::out_ = nullptr;
saerad::testing::CommandResult* DemoRun::result_ = nullptr;

TEST_F(DemoRun, FinishesAndWritesItsFiles) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  for (const char* f : {"index.html", "metrics.json", "cohort/studies.csv", "cohort/contact_sheet.png",
                        "cohort/labels.csv", "embeddings.safetensors", "sae/cfg.json", "features.db",
                        "predictions.jsonl", "references.jsonl"})
    EXPECT_TRUE(fs::exists(out() / f)) << f;
  std::fputs(result_->err.c_str(), stderr);  // stage timings for the log
}

TEST_F(DemoRun, EveryLinkOfThePageIsRelativeAndResolves) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const std::string html = read_text_file(out() / "index.html");
  const auto links = page_links(html);
  EXPECT_GT(links.size(), 20u);
  static const std::regex scheme(R"(^[a-zA-Z][a-zA-Z0-9+.-]*:)");
  for (const auto& link : links) {
    EXPECT_FALSE(std::regex_search(link, scheme)) << link;
    EXPECT_NE(link[0], '/') << link;
    EXPECT_EQ(link.find(".."), std::string::npos) << link;
    EXPECT_TRUE(fs::is_regular_file(out() / link)) << link;
  }
}

// The floors of issue 8 at the CI size (n 400, seed 1; tuning and measurements across seeds in docs/demo.md).
TEST_F(DemoRun, SaeRecoversTheConceptsAndReportsBeatRandomOnes) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const Json m = read_json_file(out() / "metrics.json");
  const double mean = m["concept_recovery"]["mean"].get<double>();
  std::fprintf(stderr, "concept recovery: %s\n", m["concept_recovery"].dump().c_str());
  EXPECT_GE(mean, 0.75);
  const double f1 = m["chexpert"]["uncertain_as_negative"]["micro_f1_14"].get<double>();
  const double floor = m["random_training_report"]["chexpert"]["uncertain_as_negative"]["micro_f1_14"].get<double>();
  std::fprintf(stderr, "micro-F1-14 %.3f vs random training report %.3f\n", f1, floor);
  EXPECT_GE(f1 - floor, 0.15);
  for (const char* key : {"bleu_4", "rouge_l", "cider_d", "n", "stage_seconds"}) EXPECT_TRUE(m.contains(key)) << key;
}

// The demo folds its input standardisation into the SAE, so the SAE takes raw builtin embeddings: its cfg
// names the plain encoder fingerprint, and `saerad report --image` with the builtin encoder accepts it. The
// demo records its report settings (max features, min importance, the normal-study sentence) in the feature
// store, so the command, given no report flags, writes for a test study's PNG exactly the report the demo
// composed — checked on the first study reported from features and the first given the normal sentence.
TEST_F(DemoRun, ReportOnOneImageWithTheDemoSaeReproducesTheDemoReport) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  EXPECT_EQ(read_json_file(out() / "sae/cfg.json")["model"], "builtin-v1");
  Json from_features, normal;
  for (const auto& line : jsonl_lines(out() / "predictions.jsonl")) {
    const Json p = Json::parse(line);
    const bool cites = !p["provenance"].empty() && !p["provenance"][0]["features"].empty();
    if (cites && from_features.is_null()) from_features = p;
    if (!cites && normal.is_null()) normal = p;
  }
  ASSERT_TRUE(from_features.is_object()) << "no test report composed from features";
  for (const Json& expected : {from_features, normal}) {
    if (expected.is_null()) continue;  // every test study had a feature (no normal-study report to check)
    const std::string id = expected["id"].get<std::string>();
    const fs::path image = out() / "cohort" / "images" / (id + ".png"), pred = out().parent_path() / "image_report.jsonl";
    ASSERT_TRUE(fs::exists(image)) << image;
    const auto r = saerad::testing::run_saerad({"report", "--image", image.string(), "--encoder", "builtin", "--sae",
                                                (out() / "sae").string(), "--features", (out() / "features.db").string(),
                                                "--study-id", id, "--out", pred.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = jsonl_lines(pred);
    ASSERT_EQ(lines.size(), 1u);
    const Json got = Json::parse(lines[0]);
    EXPECT_EQ(got["id"], id);
    EXPECT_FALSE(got["report"].get<std::string>().empty());
    EXPECT_EQ(got["report"], expected["report"]) << id;
  }
}

// `saerad label` reads each phantom report (studies.csv, findings) back to the labels it was written from
// (chexpert_labels.csv), ≥ 0.98 agreement per observation (a blank must match a blank).
TEST_F(DemoRun, LabelCommandReadsTheCohortReportsBack) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const fs::path cohort = out() / "cohort", labeled = out().parent_path() / "labeled.csv";
  const auto r = saerad::testing::run_saerad({"label", "--reports", (cohort / "studies.csv").string(), "--column",
                                              "findings", "--id-column", "study_id", "--out", labeled.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto read_table = [](const fs::path& path) {
    CsvReader reader = CsvReader::open(path);
    std::vector<std::string> header, rec;
    EXPECT_TRUE(reader.next(header));
    std::map<std::string, std::map<std::string, std::string>> table;  // study_id → column → value
    while (reader.next(rec))
      for (size_t c = 1; c < header.size() && c < rec.size(); ++c) table[rec[0]][header[c]] = rec[c];
    return table;
  };
  const auto truth = read_table(cohort / "chexpert_labels.csv"), got = read_table(labeled);
  ASSERT_EQ(truth.size(), 400u);
  ASSERT_EQ(got.size(), truth.size());
  auto norm = [](const std::string& v) { return v.empty() ? std::string() : std::to_string(int(std::stod(v))); };
  std::map<std::string, int> agree;
  for (const auto& [id, row] : truth)
    for (const auto& [column, value] : row) {
      if (column == "Reports") continue;
      const auto& other = got.at(id);
      const auto it = other.find(column);
      ASSERT_NE(it, other.end()) << column;
      agree[column] += norm(it->second) == norm(value);
    }
  ASSERT_EQ(agree.size(), 14u);
  for (const auto& [column, n] : agree) EXPECT_GE(n / 400.0, 0.98) << column;
}

TEST_F(DemoRun, PageRendersInHeadlessChromium) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const fs::path python = saerad::testing::test_python();
  if (python.empty()) GTEST_SKIP() << "no test python venv (scripts/setup-test-python.sh)";
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "needs Debian's chromium (/usr/bin/chromium)";
  if (saerad::testing::run_program({python.string(), "-c", "import playwright"}).exit_code != 0)
    GTEST_SKIP() << "python playwright missing (tests/python-requirements.txt)";
  const fs::path shot = saerad::testing::source_dir() / "ci-artifacts" / "demo" / "index.png";
  const auto r = saerad::testing::run_program({python.string(),
                                               (saerad::testing::source_dir() / "tests/demo/render_page.py").string(),
                                               "--page", (out() / "index.html").string(), "--screenshot", shot.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(fs::exists(shot));
}

}  // namespace
}  // namespace saerad::demo
