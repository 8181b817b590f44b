// The viewer's building blocks without HTTP: the in-memory feature index, id validation, root confinement,
// thumbnail downscaling, sentence highlighting.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "serve/feature_index.hpp"
#include "serve/image_access.hpp"
#include "serve/sentence_match.hpp"
#include "serve/study_catalog.hpp"
#include "support/test_support.hpp"

namespace saerad::serve {
namespace {

namespace fs = std::filesystem;

FeatureIndex small_index() {
  std::vector<FeatureSummary> rows;
  auto add = [&](int64_t id, bool interp, std::string text, double density, std::optional<double> score,
                 std::optional<double> enrichment) {
    FeatureSummary r;
    r.id = id;
    r.interpretable = interp;
    r.description = std::move(text);
    r.density = density;
    r.description_score = score;
    r.enrichment = enrichment;
    r.enrichment_label = enrichment ? "Edema" : "";
    rows.push_back(r);
  };
  add(3, true, "Left pleural effusion", 0.10, 0.90, 1.5);
  add(0, true, "Enlarged cardiac silhouette", 0.30, std::nullopt, 0.2);
  add(7, false, "", 0.01, std::nullopt, std::nullopt);
  add(5, true, "Right pleural EFFUSION with atelectasis", 0.20, 0.70, 2.5);
  return FeatureIndex(rows);
}

std::vector<int64_t> ids(const Json& page) {
  std::vector<int64_t> out;
  for (const Json& item : page["items"]) out.push_back(item["id"].get<int64_t>());
  return out;
}

TEST(FeatureIndex, SortsWithMissingValuesLastWhenDescending) {
  FeatureIndex index = small_index();
  FeatureListQuery q;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{0, 3, 5, 7}));
  q.sort = FeatureSortKey::Density;
  q.descending = true;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{0, 5, 3, 7}));
  q.sort = FeatureSortKey::DescriptionScore;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{3, 5, 0, 7}));  // ties among missing keep id order
  q.sort = FeatureSortKey::Enrichment;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{5, 3, 0, 7}));
  q.descending = false;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{0, 3, 5, 7}));
}

TEST(FeatureIndex, SearchNeedsEveryWordCaseInsensitively) {
  FeatureIndex index = small_index();
  FeatureListQuery q;
  q.text = "pleural effusion";
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{3, 5}));
  q.text = "Effusion  ATELECTASIS";
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{5}));
  q.text = "#7";
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{7}));
  q.text = "";
  q.interpretable = false;
  EXPECT_EQ(ids(index.query(q)), (std::vector<int64_t>{7}));
}

TEST(FeatureIndex, PagesCoverEveryMatchOnce) {
  FeatureIndex index = small_index();
  FeatureListQuery q;
  q.page_size = 3;
  Json p1 = index.query(q);
  q.page = 2;
  Json p2 = index.query(q);
  EXPECT_EQ(p1["total"], 4);
  EXPECT_EQ(p1["pages"], 2);
  EXPECT_EQ(ids(p1), (std::vector<int64_t>{0, 3, 5}));
  EXPECT_EQ(ids(p2), (std::vector<int64_t>{7}));
  EXPECT_EQ(index.find(5)->description, "Right pleural EFFUSION with atelectasis");
  EXPECT_EQ(index.find(4), nullptr);
}

TEST(StudyIds, OnlyPlainIdsPass) {
  for (const char* ok : {"s1", "CXR1_1_IM-0001", "upload:0123abcd", "50414267.dcm"}) EXPECT_TRUE(is_valid_study_id(ok)) << ok;
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a\\b", "/etc/passwd", "a b", "x%2F", "<script>", "a\nb"})
    EXPECT_FALSE(is_valid_study_id(bad)) << bad;
  EXPECT_FALSE(is_valid_study_id(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_study_id(std::string("s1\0x", 4)));
}

TEST(ImageRoots, ResolvedPathsMustStayInsideARoot) {
  saerad::testing::TempDir dir;
  fs::create_directories(dir / "root/sub");
  fs::create_directories(dir / "root2");
  write_file_atomic(dir / "root/sub/a.png", "x");
  write_file_atomic(dir / "secret.txt", "x");
  fs::create_symlink(dir / "secret.txt", dir / "root/escape.png");
  const std::vector<fs::path> roots = {fs::canonical(dir / "root")};
  EXPECT_TRUE(resolve_inside_roots(dir / "root/sub/a.png", roots));
  EXPECT_TRUE(resolve_inside_roots(dir / "root/sub/../sub/a.png", roots));
  EXPECT_FALSE(resolve_inside_roots(dir / "root/../secret.txt", roots));
  EXPECT_FALSE(resolve_inside_roots(dir / "root/escape.png", roots));  // symlink pointing out
  EXPECT_FALSE(resolve_inside_roots(dir / "root2/a.png", roots));     // a sibling sharing the prefix "root"
  EXPECT_FALSE(resolve_inside_roots("/etc/passwd", roots));
}

TEST(Thumbnails, DownscaleAveragesAreasAndKeepsAspect) {
  Image image(4, 2, 1);
  const uint8_t values[] = {0, 100, 200, 50, 100, 0, 50, 250};
  std::copy(std::begin(values), std::end(values), image.pixels.begin());
  Image half = downscale(image, 2);
  ASSERT_EQ(half.width, 2);
  ASSERT_EQ(half.height, 1);
  EXPECT_EQ(half.pixels[0], 50);   // mean of 0, 100, 100, 0
  EXPECT_EQ(half.pixels[1], 138);  // mean of 200, 50, 50, 250 = 137.5 → rounds half away from zero
  Image same = downscale(image, 8);
  EXPECT_EQ(same.pixels, image.pixels);
}

TEST(SentenceMatch, HighlightsSentencesSharingTheDescriptionsWords) {
  auto words = content_words("Small left pleural effusion");
  EXPECT_TRUE(sentence_matches("There is a small left pleural effusion.", words));
  EXPECT_TRUE(sentence_matches("Pleural effusion on the left.", words));
  EXPECT_FALSE(sentence_matches("No pneumothorax.", words));
  EXPECT_FALSE(sentence_matches("The heart is normal in size.", content_words("")));
}

}  // namespace
}  // namespace saerad::serve
