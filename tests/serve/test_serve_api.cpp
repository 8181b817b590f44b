// The viewer's JSON API over real HTTP on 127.0.0.1: pages' data, hostile requests (path escapes, bad ids,
// malformed bodies, oversized and fake uploads), reviews stored whole and exactly once, 50 concurrent clients.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "interp/feature_store.hpp"
#include "core/json_io.hpp"
#include "data/manifest.hpp"
#include "interp/feature_store.hpp"
#include "serve/fixture/viewer_fixture.hpp"
#include "serve/sae_report_pipeline.hpp"
#include "vision/encoder.hpp"
#include "support/test_support.hpp"

namespace saerad::serve::testing {
namespace {

using saerad::testing::TempDir;

class ServeApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    fixture_ = new ViewerFixture(make_viewer_fixture(dir_->path()));
    ViewerConfig config;
    config.upload_limit = 1u << 20;  // 1 MB so the 413 test sends little
    viewer_ = new RunningViewer(*fixture_, config);
  }
  static void TearDownTestSuite() {
    delete viewer_;
    delete fixture_;
    delete dir_;
  }
  static httplib::Client client() {
    httplib::Client c("127.0.0.1", viewer_->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  static Json get_json(const std::string& path, int expected_status = 200) {
    auto c = client();
    auto res = c.Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    EXPECT_NE(res->get_header_value("Content-Type").find("application/json"), std::string::npos) << path;
    return Json::parse(res->body);
  }
  static httplib::Result post_reviews(const Json& body) {
    auto c = client();
    return c.Post("/api/reviews", body.dump(), "application/json");
  }
  static int64_t review_total() { return get_json("/api/reviews/summary")["total"].get<int64_t>(); }

  static TempDir* dir_;
  static ViewerFixture* fixture_;
  static RunningViewer* viewer_;
};
TempDir* ServeApi::dir_ = nullptr;
ViewerFixture* ServeApi::fixture_ = nullptr;
RunningViewer* ServeApi::viewer_ = nullptr;

Json sentence_review(const std::string& study, const std::string& verdict, int index = 0) {
  return {{"kind", "sentence"}, {"study_id", study}, {"composer", "extractive"}, {"sentence_index", index},
          {"sentence", "The lungs are clear."}, {"verdict", verdict}};
}

TEST_F(ServeApi, HealthReportsTheStore) {
  Json h = get_json("/api/health");
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["features"], 120);
  EXPECT_EQ(h["interpretable"], 96);  // every fifth feature is not interpretable
  EXPECT_EQ(h["studies"], 24);
  EXPECT_EQ(h["upload"], true);
  EXPECT_EQ(h["encoder"], fixture_->encoder_fingerprint);
}

TEST_F(ServeApi, FeatureListPaginatesSortsFiltersAndSearches) {
  Json page1 = get_json("/api/features?page=1&page_size=50");
  EXPECT_EQ(page1["total"], 120);
  EXPECT_EQ(page1["pages"], 3);
  ASSERT_EQ(page1["items"].size(), 50u);
  EXPECT_EQ(page1["items"][0]["id"], 0);
  Json page3 = get_json("/api/features?page=3&page_size=50");
  ASSERT_EQ(page3["items"].size(), 20u);
  EXPECT_EQ(page3["items"][19]["id"], 119);
  EXPECT_EQ(get_json("/api/features?page=9")["items"].size(), 0u);

  for (const char* key : {"density", "score", "enrichment"}) {
    Json sorted = get_json(std::string("/api/features?page_size=500&sort=") + key);
    const char* field = std::string(key) == "score" ? "description_score" : key;
    double previous = 1e300;
    for (const Json& item : sorted["items"]) {
      const Json& v = std::string(key) == "enrichment" ? item["enrichment"]["log_odds"] : item[field];
      if (v.is_null()) continue;  // missing values sort last
      EXPECT_LE(v.get<double>(), previous) << key;
      previous = v.get<double>();
    }
  }
  Json interp = get_json("/api/features?interpretable=false&page_size=500");
  EXPECT_EQ(interp["total"], 24);
  for (const Json& item : interp["items"]) EXPECT_FALSE(item["interpretable"].get<bool>());

  Json found = get_json("/api/features?q=PLEURAL%20effusion&page_size=500");
  EXPECT_EQ(found["total"], 16);  // features 0, 6, … described as the effusion finding, minus non-interpretable
  for (const Json& item : found["items"])
    EXPECT_NE(item["description"].get<std::string>().find("pleural effusion"), std::string::npos);
  EXPECT_EQ(get_json("/api/features?q=%2317")["items"][0]["id"], 17);  // "#17" finds by id
  EXPECT_EQ(get_json("/api/features?q=nothing-like-this")["total"], 0);
}

TEST_F(ServeApi, FeatureListRejectsBadParameters) {
  for (const char* path : {"/api/features?page=0", "/api/features?page=abc", "/api/features?page=1e3",
                           "/api/features?page_size=100000", "/api/features?sort=rm%20-rf",
                           "/api/features?interpretable=maybe", "/api/features?order=sideways"}) {
    Json error = get_json(path, 400);
    EXPECT_TRUE(error["error"].is_string()) << path;
    EXPECT_EQ(error["status"], 400);
  }
}

TEST_F(ServeApi, FeaturePageHasHistogramExamplesAndHighlights) {
  Json f = get_json("/api/features/6");
  EXPECT_EQ(f["id"], 6);
  EXPECT_EQ(f["describer"], "extractive");
  EXPECT_EQ(f["describer_model"], "extractive-v1");
  EXPECT_EQ(f["prompt_version"], "v1");
  EXPECT_TRUE(f["description_score"].is_number());
  ASSERT_TRUE(f["histogram"].is_object());
  EXPECT_EQ(f["histogram"]["counts"].size(), size_t(kHistogramBins));
  EXPECT_TRUE(f["enrichment"].contains("Pleural Effusion"));
  ASSERT_EQ(f["examples"].size(), 6u);
  int highlighted = 0;
  for (const Json& ex : f["examples"]) {
    EXPECT_TRUE(ex["has_image"].get<bool>());
    for (const Json& s : ex["sentences"])
      if (s["match"].get<bool>()) {
        ++highlighted;
        EXPECT_EQ(s["text"], kFindings[0]);  // only the effusion sentence speaks of this description
      }
  }
  EXPECT_EQ(highlighted, 6);  // every example study carries the finding once
}

TEST_F(ServeApi, FeatureIdsAreValidated) {
  get_json("/api/features/99999", 404);
  for (const char* path : {"/api/features/abc", "/api/features/-1", "/api/features/1e3", "/api/features/..%2F1",
                           "/api/features/", "/api/features/99999999999999999999999"})
    EXPECT_EQ(get_json(path, 400)["status"], 400) << path;
}

TEST_F(ServeApi, StudyPageLinksSentencesToFeatures) {
  Json s = get_json("/api/studies/s2");
  EXPECT_EQ(s["study_id"], "s2");
  EXPECT_FALSE(s["findings"].get<std::string>().empty());
  EXPECT_EQ(s["report_sentences"].size(), 2u);
  ASSERT_EQ(s["reports"].size(), 1u);
  const Json& r = s["reports"][0];
  EXPECT_EQ(r["composer"], "extractive");
  ASSERT_EQ(r["provenance"].size(), 2u);
  EXPECT_EQ(r["provenance"][0]["features"][0]["id"], 2);
  // Descriptions come from the store when the stored provenance has none.
  EXPECT_NE(r["provenance"][0]["features"][0]["description"].get<std::string>().find("variant 2"), std::string::npos);
  ASSERT_EQ(r["importance"].size(), 3u);
  EXPECT_EQ(r["importance"][0]["id"], 2);
  EXPECT_DOUBLE_EQ(r["importance"][0]["importance"].get<double>(), 0.6);
  EXPECT_EQ(get_json("/api/studies/s20")["reports"].size(), 0u);  // in studies.csv, no stored report
  get_json("/api/studies/nope", 404);
  for (const char* path : {"/api/studies/..", "/api/studies/..%2F..%2Fetc%2Fpasswd", "/api/studies/a%20b",
                           "/api/studies/%3Cscript%3E"})
    EXPECT_EQ(get_json(path, 400)["status"], 400) << path;
}

TEST_F(ServeApi, ThumbnailsAreSmallPngsFromTheImageRoot) {
  auto c = client();
  auto res = c.Get("/thumbs/s3?size=48");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/png");
  Image thumb = decode_image({reinterpret_cast<const uint8_t*>(res->body.data()), res->body.size()}, "thumb");
  EXPECT_EQ(thumb.width, 48);  // 96×80 shrunk so the longer side is 48
  EXPECT_EQ(thumb.height, 40);
  auto again = c.Get("/thumbs/s3?size=48");  // cached: byte-identical
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, res->body);
}

TEST_F(ServeApi, NoPathLeavesItsRoot) {
  // Every spelling of an escape is refused before the file system is touched, and nothing leaks.
  auto c = client();
  for (const char* path :
       {"/thumbs/../studies.csv", "/thumbs/..%2Fstudies.csv", "/thumbs/%2E%2E%2Fstudies.csv", "/thumbs/..%252Fstudies.csv",
        "/thumbs/%2Fetc%2Fpasswd", "/thumbs//etc/passwd", "/thumbs/s1%00.png", "/thumbs/s1/../../studies.csv",
        "/assets/../studies.csv", "/assets/..%2F..%2Fsrc%2Fserve%2FCMakeLists.txt", "/../studies.csv",
        "/assets/%2Fetc%2Fpasswd"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_GE(res->status, 400) << path;
    EXPECT_LT(res->status, 500) << path;
    EXPECT_EQ(res->body.find("study_id,subject_id"), std::string::npos) << path;
    EXPECT_EQ(res->body.find("root:"), std::string::npos) << path;
  }
}

TEST_F(ServeApi, UnknownRoutesAndMethodsGetJsonErrors) {
  auto c = client();
  for (const char* path : {"/api/nothing", "/favicon.ico", "/assets/nothing.js"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(Json::parse(res->body)["status"], 404) << path;
  }
  auto del = c.Delete("/api/reviews");
  ASSERT_TRUE(del);
  EXPECT_GE(del->status, 400);
  EXPECT_LT(del->status, 500);
}

TEST_F(ServeApi, PagesAreServedWithAStrictContentSecurityPolicy) {
  auto c = client();
  auto res = c.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  auto js = c.Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_NE(js->get_header_value("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(js->body.find("innerHTML"), std::string::npos);  // user data only ever goes in as text
}

TEST_F(ServeApi, UploadWritesAReportWithProvenance) {
  auto c = client();
  auto png = fixture_png(64, 64, 200);  // mean ≈ 207 → the fixture pipeline picks finding 5
  httplib::MultipartFormDataItems items = {{"image", std::string(png.begin(), png.end()), "chest.png", "image/png"}};
  auto res = c.Post("/api/report", items);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json page = Json::parse(res->body);
  EXPECT_TRUE(page["upload"].get<bool>());
  EXPECT_EQ(page["width"], 64);
  ASSERT_EQ(page["reports"].size(), 1u);
  EXPECT_EQ(page["reports"][0]["report"], kFindings[5]);
  EXPECT_EQ(page["reports"][0]["provenance"][0]["features"][0]["id"], 5);
  EXPECT_FALSE(page["reports"][0]["provenance"][0]["features"][0]["description"].get<std::string>().empty());
  // The upload's page can be reopened and its sentences reviewed by id.
  const std::string id = page["study_id"];
  EXPECT_EQ(get_json("/api/studies/" + id)["reports"][0]["report"], kFindings[5]);
  auto review = post_reviews({{"reviewer", "upload reviewer"}, {"reviews", {sentence_review(id, "correct")}}});
  ASSERT_TRUE(review);
  EXPECT_EQ(review->status, 201) << review->body;
}

TEST_F(ServeApi, UploadContentIsCheckedByDecodingNotByName) {
  auto c = client();
  auto send = [&](httplib::MultipartFormDataItems items) {
    auto res = c.Post("/api/report", items);
    EXPECT_TRUE(res);
    return res ? std::make_pair(res->status, Json::parse(res->body, nullptr, false)) : std::make_pair(0, Json());
  };
  auto [fake_status, fake] = send({{"image", "#!/bin/sh\necho pwned\n", "evil.png", "image/png"}});
  EXPECT_EQ(fake_status, 415);
  EXPECT_TRUE(fake["error"].is_string());
  auto png = fixture_png(8, 8, 1);
  std::string truncated(png.begin(), png.begin() + long(png.size() / 2));
  EXPECT_EQ(send({{"image", truncated, "half.png", "image/png"}}).first, 415);
  EXPECT_EQ(send({{"photo", std::string(png.begin(), png.end()), "x.png", "image/png"}}).first, 400);
  EXPECT_EQ(send({{"image", "", "empty.png", "image/png"}}).first, 400);
  auto raw = c.Post("/api/report", std::string(png.begin(), png.end()), "image/png");  // not multipart
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 400);
}

TEST_F(ServeApi, OversizedUploadGets413AsJson) {
  auto c = client();
  std::string big(2u << 20, 'x');  // 2 MB against this server's 1 MB limit
  auto res = c.Post("/api/report", httplib::MultipartFormDataItems{{"image", big, "big.png", "image/png"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(Json::parse(res->body)["status"], 413);
  auto health = c.Get("/api/health");  // and the server is still fine
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(ServeApi, AReviewSubmissionIsStoredWholeOrNotAtAll) {
  const int64_t before = review_total();
  Json bad = {{"reviewer", "Dr Partial"},
              {"submission_id", "partial-1"},
              {"reviews", {sentence_review("s1", "correct"), sentence_review("s1", "wrong", 1),
                           sentence_review("s1", "maybe", 2)}}};
  auto res = post_reviews(bad);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(Json::parse(res->body)["error"].get<std::string>().find("reviews[2].verdict"), std::string::npos);
  EXPECT_EQ(review_total(), before);  // the two valid items were not stored either

  for (const Json& body : std::vector<Json>{
           Json::array(), Json{{"reviews", {sentence_review("s1", "correct")}}},            // no reviewer
           Json{{"reviewer", "  "}, {"reviews", {sentence_review("s1", "correct")}}},        // blank reviewer
           Json{{"reviewer", "x"}, {"reviews", Json::array()}},                              // nothing to store
           Json{{"reviewer", "x"}, {"reviews", {sentence_review("no-such-study", "correct")}}},
           Json{{"reviewer", "x"}, {"reviews", {{{"kind", "feature"}, {"feature_id", 99999}, {"verdict", "agree"}}}}},
           Json{{"reviewer", "x"}, {"reviews", {{{"kind", "feature"}, {"feature_id", 1}, {"verdict", "correct"}}}}},
           Json{{"reviewer", "x"}, {"reviews", {{{"kind", "other"}, {"verdict", "agree"}}}}},
           Json{{"reviewer", std::string(1000, 'a')}, {"reviews", {sentence_review("s1", "correct")}}}}) {
    auto r = post_reviews(body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body.dump();
  }
  auto c = client();
  for (const char* text : {"{", "not json", "\xff\xfe", ""}) {
    auto r = c.Post("/api/reviews", text, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << text;
  }
  EXPECT_EQ(review_total(), before);
}

TEST_F(ServeApi, ARetriedSubmissionIsStoredOnce) {
  const int64_t before = review_total();
  Json body = {{"reviewer", "Dr Retry"},
               {"submission_id", "retry-abc"},
               {"reviews", {sentence_review("s4", "partly"), {{"kind", "feature"}, {"feature_id", 4}, {"verdict", "disagree"}}}}};
  auto first = post_reviews(body);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201);
  EXPECT_EQ(Json::parse(first->body)["stored"], 2);
  auto second = post_reviews(body);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_TRUE(Json::parse(second->body)["duplicate"].get<bool>());
  EXPECT_EQ(review_total(), before + 2);
}

TEST_F(ServeApi, CsvExportKeepsUserTextInertAndExact) {
  const std::string hostile = "<script>alert(1)</script>, \"quoted\"\nnew line";
  auto res = post_reviews({{"reviewer", "=HYPERLINK(\"http://x\")"},
                           {"submission_id", "csv-1"},
                           {"reviews", {{{"kind", "feature"}, {"feature_id", 7}, {"verdict", "agree"}, {"comment", hostile}}}}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201);
  auto c = client();
  auto csv = c.Get("/api/reviews.csv");
  ASSERT_TRUE(csv);
  EXPECT_NE(csv->get_header_value("Content-Type").find("text/csv"), std::string::npos);
  auto reader = CsvReader::from_string(csv->body, "reviews.csv");
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(fields[2], "reviewer");
  bool found = false;
  while (reader.next(fields)) {
    ASSERT_EQ(fields.size(), 12u);
    if (fields[11] != "csv-1") continue;
    found = true;
    EXPECT_EQ(fields[2], "'=HYPERLINK(\"http://x\")");  // a spreadsheet shows it, never runs it
    EXPECT_EQ(fields[10], hostile);                      // the comment round-trips exactly
    EXPECT_EQ(fields[8], "7");
    EXPECT_EQ(fields[9], "agree");
  }
  EXPECT_TRUE(found);
  Json summary = get_json("/api/reviews/summary");
  bool counted = false;
  for (const Json& r : summary["reviewers"])
    if (r["reviewer"] == "=HYPERLINK(\"http://x\")") counted = r["features"] == 1 && r["total"] == 1;
  EXPECT_TRUE(counted);
}

TEST_F(ServeApi, FiftyConcurrentClientsMixingReadsUploadsAndReviews) {
  constexpr int kClients = 50, kRounds = 4;
  const int64_t before = review_total();
  std::atomic<int> failures{0}, requests{0};
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> threads;
  auto png = fixture_png(48, 48, 90);
  for (int client_id = 0; client_id < kClients; ++client_id) {
    threads.emplace_back([&, client_id] {
      httplib::Client c("127.0.0.1", viewer_->port());
      c.set_read_timeout(60, 0);
      c.set_connection_timeout(10, 0);
      auto expect = [&](const httplib::Result& res, int status, const char* what) {
        ++requests;
        if (!res || res->status != status) {
          ++failures;
          errors[size_t(client_id)] = std::string(what) + ": " + (res ? std::to_string(res->status) + " " + res->body : "no response: " + httplib::to_string(res.error()));
        }
      };
      for (int round = 0; round < kRounds; ++round) {
        expect(c.Get(("/api/features?sort=density&page=" + std::to_string(1 + (client_id + round) % 3)).c_str()), 200, "list");
        expect(c.Get(("/api/features/" + std::to_string((client_id * 7 + round) % 120)).c_str()), 200, "feature");
        expect(c.Get(("/api/studies/s" + std::to_string((client_id + round) % 24)).c_str()), 200, "study");
        expect(c.Get(("/thumbs/s" + std::to_string(client_id % 24) + "?size=64").c_str()), 200, "thumb");
        if ((client_id + round) % 2 == 0)
          expect(c.Post("/api/report", httplib::MultipartFormDataItems{{"image", std::string(png.begin(), png.end()), "u.png", "image/png"}}),
                 200, "upload");
        const Json body = {{"reviewer", "client " + std::to_string(client_id % 5)},
                           {"submission_id", "conc-" + std::to_string(client_id) + "-" + std::to_string(round)},
                           {"reviews", {sentence_review("s" + std::to_string(client_id % 24), "correct"),
                                        {{"kind", "feature"}, {"feature_id", client_id}, {"verdict", "agree"}}}}};
        expect(c.Post("/api/reviews", body.dump(), "application/json"), 201, "review");
        if (round == 0)  // a client retrying the same submission (lost response) stores nothing twice
          expect(c.Post("/api/reviews", body.dump(), "application/json"), 200, "retry");
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
  EXPECT_EQ(failures.load(), 0) << "of " << requests.load() << " requests";
  EXPECT_EQ(review_total(), before + int64_t(kClients) * kRounds * 2);
  // Every submission appears exactly twice (its two items) in the export.
  auto c = client();
  auto csv = c.Get("/api/reviews.csv");
  ASSERT_TRUE(csv);
  auto reader = CsvReader::from_string(csv->body, "reviews.csv");
  std::vector<std::string> fields;
  reader.next(fields);
  std::map<std::string, int> per_submission;
  while (reader.next(fields))
    if (fields[11].rfind("conc-", 0) == 0) ++per_submission[fields[11]];
  EXPECT_EQ(per_submission.size(), size_t(kClients * kRounds));
  for (const auto& [id, n] : per_submission) EXPECT_EQ(n, 2) << id;
}

ViewerFixture small_fixture(const std::filesystem::path& dir, int studies, int64_t features) {
  FixtureOptions options;
  options.studies = studies;
  options.features = features;
  return make_viewer_fixture(dir, options);
}

TEST(ServeUploadsOff, UploadAnswers503WithoutAPipeline) {
  TempDir dir;
  ViewerFixture fx = small_fixture(dir.path(), 4, 10);
  RunningViewer viewer(fx, {}, /*with_pipeline=*/false);
  httplib::Client c("127.0.0.1", viewer.port());
  auto png = fixture_png(8, 8, 1);
  auto res = c.Post("/api/report", httplib::MultipartFormDataItems{{"image", std::string(png.begin(), png.end()), "a.png", "image/png"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto health = c.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_FALSE(Json::parse(health->body)["upload"].get<bool>());
}

TEST(ServeImages, ManifestPathsOutsideTheImageRootAreRefused) {
  TempDir dir;
  ViewerFixture fx = small_fixture(dir.path(), 3, 6);
  // A second manifest pointing outside the root: absolute, relative escape, and a symlink out of the root.
  auto png = fixture_png(16, 16, 100);
  write_file_atomic(dir / "outside.png", std::string(png.begin(), png.end()));
  std::filesystem::create_symlink(dir / "outside.png", fx.image_root / "link.png");
  Manifest m = read_manifest(fx.manifest);
  m.rows[0].image_path = (dir / "outside.png").string();
  m.rows[1].image_path = "images/../outside.png";
  m.rows[2].image_path = "images/link.png";
  write_manifest(fx.manifest, m.rows);
  RunningViewer viewer(fx);
  httplib::Client c("127.0.0.1", viewer.port());
  for (const char* path : {"/thumbs/s0", "/thumbs/s1", "/thumbs/s2"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << path;
    EXPECT_EQ(Json::parse(res->body)["status"], 403);
  }
}

// The real upload pipeline: builtin encoder → a small SAE → the extractive composer over the store's
// descriptions, behind the same HTTP endpoint.
TEST(ServeRealPipeline, UploadRunsEncoderSaeAndComposer) {
  TempDir dir;
  FixtureOptions options;
  options.features = 48;
  ViewerFixture fx = make_viewer_fixture(dir.path(), options);
  const int64_t d_in = make_builtin_encoder()->dim();
  fx.sae_fingerprint = write_fixture_sae(dir / "sae", d_in, options.features, "builtin-v1");
  fx.encoder_fingerprint = "builtin-v1";
  {
    FeatureStore store(fx.store, FeatureStore::Mode::ReadWrite);
    store.set_meta("sae_fingerprint", fx.sae_fingerprint);
    store.set_meta("embeddings_model", fx.encoder_fingerprint);
  }
  auto pipeline = make_sae_report_pipeline({.sae_dir = dir / "sae", .model_dir = {}, .encoder = "", .store = fx.store});
  EXPECT_EQ(pipeline->encoder_fingerprint(), "builtin-v1");  // chosen from the SAE's cfg `model`
  EXPECT_EQ(pipeline->sae_fingerprint(), fx.sae_fingerprint);
  ViewerConfig config;
  config.features_db = fx.store;
  config.image_roots = {fx.image_root};
  config.port = 0;
  ViewerServer server(config, StudyCatalog(read_manifest(fx.manifest)), std::move(pipeline));
  const int port = server.bind();
  std::thread runner([&] { server.run(); });
  server.wait_until_running();
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  std::string png;
  {
    auto bytes = fixture_png(256, 256, 80);
    png.assign(bytes.begin(), bytes.end());
  }
  auto res = c.Post("/api/report", httplib::MultipartFormDataItems{{"image", png, "xray.png", "image/png"}});
  server.stop();
  runner.join();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json page = Json::parse(res->body);
  std::printf("[serve upload] builtin encoder + %d-latent SAE + extractive composer: decode %.1f ms, report %.1f ms\n",
              int(options.features), page["timing_ms"]["decode"].get<double>(), page["timing_ms"]["report"].get<double>());
  const Json& report = page["reports"][0];
  EXPECT_EQ(report["composer"], "extractive");
  ASSERT_FALSE(report["provenance"].empty()) << report.dump();
  for (const Json& sentence : report["provenance"]) {
    EXPECT_FALSE(sentence["sentence"].get<std::string>().empty());
    for (const Json& f : sentence["features"]) {
      EXPECT_LT(f["id"].get<int64_t>(), options.features);
      EXPECT_NE(f["id"].get<int64_t>() % 5, 4) << "a non-interpretable feature was used";
      EXPECT_GT(f["importance"].get<double>(), 0.0);
    }
  }
  EXPECT_FALSE(report["importance"].empty());
}

TEST(ServeStartup, CliRefusesAStoreOfAnotherSae) {
  TempDir dir;
  ViewerFixture fx = small_fixture(dir.path(), 3, 8);  // store meta: sae sha256:fixture-sae
  const std::string actual = write_fixture_sae(dir / "sae", make_builtin_encoder()->dim(), 8, "builtin-v1");
  auto result = saerad::testing::run_saerad({"serve", "--features", fx.store.string(), "--sae", (dir / "sae").string(),
                                             "--studies", fx.manifest.string(), "--image-root", fx.image_root.string(),
                                             "--encoder", "builtin", "--port", "1"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("sha256:fixture-sae"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(actual), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("features.db"), std::string::npos) << result.err;
}

TEST(ServeStartup, RefusesAStoreOfAnotherSaeOrEncoder) {
  const std::map<std::string, std::string> meta = {{"sae_fingerprint", "sha256:aaa"}, {"embeddings_model", "builtin-v1"}};
  EXPECT_NO_THROW(check_store_fingerprints("f.db", meta, "sha256:aaa", "builtin-v1", "builtin-v1"));
  try {
    check_store_fingerprints("f.db", meta, "sha256:bbb", "builtin-v1", "builtin-v1");
    FAIL() << "a different SAE was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("sha256:aaa"), std::string::npos) << message;
    EXPECT_NE(message.find("sha256:bbb"), std::string::npos) << message;
    EXPECT_NE(message.find("f.db"), std::string::npos) << message;
  }
  EXPECT_THROW(check_store_fingerprints("f.db", meta, "sha256:aaa", "", "dinov2:sha256:ccc"), InputError);
  EXPECT_THROW(check_store_fingerprints("f.db", meta, "sha256:aaa", "dinov2:x", "builtin-v1"), InputError);
  EXPECT_THROW(check_store_fingerprints("f.db", {}, "sha256:aaa", "", "builtin-v1"), InputError);
}

}  // namespace
}  // namespace saerad::serve::testing
