// Slow viewer checks: the feature browser over a 49,152-feature store (the paper's SAE width), and the
// whole reader flow in headless Chromium (tests/serve/browser_flow.py, Python playwright driving Debian's
// /usr/bin/chromium). Latencies are printed for the issue notes, never asserted (speed lives in bench/).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/atomic_file.hpp"
#include "core/json_io.hpp"
#include "serve/fixture/viewer_fixture.hpp"
#include "support/test_support.hpp"

namespace saerad::serve::testing {
namespace {

using saerad::testing::TempDir;
namespace fs = std::filesystem;

TEST(ServeSlow, FeatureBrowserOver49152Features) {
  TempDir dir;
  FixtureOptions options;
  options.features = 49152;
  options.examples_per_feature = 4;
  options.histograms = false;
  ViewerFixture fx = make_viewer_fixture(dir.path(), options);
  RunningViewer viewer(fx);
  httplib::Client c("127.0.0.1", viewer.port());
  struct Case {
    std::string path;
    int64_t total;
  };
  // 49152 features: every fifth is not interpretable (9830); effusion descriptions are f % 6 == 0 minus those.
  const std::vector<Case> cases = {
      {"/api/features?page=1", 49152},
      {"/api/features?page=983", 49152},
      {"/api/features?sort=density&page=500", 49152},
      {"/api/features?sort=score&interpretable=true&page=3", 39322},
      {"/api/features?sort=enrichment&page=10", 49152},
      {"/api/features?q=pleural%20effusion&sort=score", 6554},
      {"/api/features?q=variant%2049151", 1},
  };
  for (const Case& test : cases) {
    std::vector<double> ms;
    Json last;
    for (int i = 0; i < 21; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto res = c.Get(test.path.c_str());
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      last = Json::parse(res->body);
    }
    EXPECT_EQ(last["total"], test.total) << test.path;
    EXPECT_LE(last["items"].size(), 50u);
    std::sort(ms.begin(), ms.end());
    std::printf("[serve latency] %-55s median %6.2f ms  max %6.2f ms  (49,152 features)\n", test.path.c_str(),
                ms[ms.size() / 2], ms.back());
  }
  auto last_page = c.Get("/api/features?page=984");
  ASSERT_TRUE(last_page);
  EXPECT_EQ(Json::parse(last_page->body)["items"].size(), 2u);  // 49152 = 983·50 + 2
}

TEST(ServeSlow, BrowserFlowInHeadlessChromium) {
  const fs::path python = saerad::testing::test_python();
  if (python.empty()) GTEST_SKIP() << "no test python venv (scripts/setup-test-python.sh)";
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "needs Debian's chromium (/usr/bin/chromium)";
  auto probe = saerad::testing::run_program({python.string(), "-c", "import playwright"});
  if (probe.exit_code != 0) GTEST_SKIP() << "python playwright missing (tests/python-requirements.txt)";
  TempDir dir;
  ViewerFixture fx = make_viewer_fixture(dir.path());
  RunningViewer viewer(fx);
  auto png = fixture_png(320, 256, 120);
  write_file_atomic(dir / "upload.png", std::string(png.begin(), png.end()));
  const fs::path artifacts = saerad::testing::source_dir() / "ci-artifacts" / "serve";
  fs::create_directories(artifacts);
  auto result = saerad::testing::run_program({python.string(), SAERAD_SERVE_BROWSER_TEST, "--url", viewer.url(),
                                              "--upload", (dir / "upload.png").string(), "--screenshots",
                                              artifacts.string()});
  std::printf("%s", result.out.c_str());
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
}  // namespace saerad::serve::testing
