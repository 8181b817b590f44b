#include "interp/feature_store.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::TempDir;

void fill(FeatureStore& store) {
  std::vector<FeatureStats> stats = {{0, 0.5, 1.0, 2.0}, {1, 0.01, 3.0, 5.0}, {2, 0.2, 0.5, 1.0}, {3, 0.0, 0.0, 0.0}};
  std::vector<FeatureExample> examples = {{0, 0, "s1", 2.0f}, {0, 1, "s2", 1.5f}, {1, 0, "s3", 5.0f}};
  FeatureHistogram h;
  h.counts.assign(kHistogramBins, 0);
  h.counts[5] = 7;
  store.write_statistics(stats, examples, {{0, h}});
  store.write_description(0, {true, "Small left pleural effusion.", {0, 1}, "extractive", "extractive-v1", "1"});
  store.write_description(1, {true, "Enlarged cardiac silhouette (cardiomegaly).", {0}, "extractive", "m", "1"});
  store.write_description(2, {false, "ignored text", {}, "extractive", "m", "1"});
  store.write_enrichment(0, {{"Pleural Effusion", 0.9, 0.1, 9, 4.4}, {"Edema", 0.1, 0.1, 1, 0.0}});
  store.write_enrichment(1, {{"Cardiomegaly", 0.5, 0.1, 5, 2.2}});
  store.write_description_score(0, 0.91, Json{{"method", "labeler"}});
  store.write_description_score(1, 0.62, Json{{"method", "labeler"}});
}

TEST(FeatureStore, WritesAndReadsEveryTable) {
  TempDir dir;
  {
    FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
    fill(store);
    store.write_report({"s9", "extractive", "Small left pleural effusion.",
                        Json::parse(R"([{"sentence":"x","features":[{"id":0}]}])"), ""});
  }
  FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadOnly);
  EXPECT_EQ(store.schema_version(), kFeatureStoreSchemaVersion);
  EXPECT_EQ(store.feature_count(), 4);
  auto f0 = store.feature(0);
  ASSERT_TRUE(f0);
  EXPECT_EQ(f0->interpretable, std::optional<bool>(true));
  EXPECT_EQ(f0->description, "Small left pleural effusion.");
  EXPECT_EQ(f0->evidence, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(f0->density, 0.5);
  EXPECT_DOUBLE_EQ(*f0->enrichment_max_log_odds, 4.4);
  EXPECT_DOUBLE_EQ(f0->enrichment["Pleural Effusion"]["top_rate"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(*f0->description_score, 0.91);
  // Not interpretable: a boolean, never text in the description.
  auto f2 = store.feature(2);
  EXPECT_EQ(f2->interpretable, std::optional<bool>(false));
  EXPECT_EQ(f2->description, "");
  EXPECT_FALSE(store.feature(3)->interpretable.has_value());
  EXPECT_FALSE(store.feature(42).has_value());

  auto ex = store.examples(0);
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].study_id, "s1");
  EXPECT_EQ(ex[1].rank, 1);
  EXPECT_EQ(store.histogram(0)->counts[5], 7);
  EXPECT_FALSE(store.histogram(1).has_value());
  EXPECT_EQ(store.described_ids(), (std::vector<int64_t>{0, 1, 2}));

  auto report = store.report("s9");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->composer, "extractive");
  EXPECT_EQ(report->provenance[0]["features"][0]["id"], 0);

  auto summary = store.score_summary();
  EXPECT_EQ(summary.described, 3);
  EXPECT_EQ(summary.interpretable, 2);
  EXPECT_EQ(summary.scored, 2);
  EXPECT_NEAR(summary.mean, (0.91 + 0.62) / 2, 1e-12);
  EXPECT_NEAR(summary.fraction_above_0_7, 0.5, 1e-12);
}

TEST(FeatureStore, SearchSortAndPaginate) {
  TempDir dir;
  FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
  fill(store);
  FeatureQuery q;
  q.search = "effusion";
  auto page = store.query(q);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.features[0].id, 0);
  q.search = "cardio*";
  EXPECT_EQ(store.query(q).features.at(0).id, 1);
  // A description rewritten: the full-text index follows it.
  store.write_description(0, {true, "Cardiomegaly.", {}, "x", "m", "1"});
  q.search = "effusion";
  EXPECT_EQ(store.query(q).total, 0);

  FeatureQuery by_density;
  by_density.sort = FeatureSortKey::Density;
  by_density.descending = true;
  by_density.limit = 2;
  page = store.query(by_density);
  EXPECT_EQ(page.total, 4);
  ASSERT_EQ(page.features.size(), 2u);
  EXPECT_EQ(page.features[0].id, 0);
  EXPECT_EQ(page.features[1].id, 2);
  by_density.offset = 2;
  page = store.query(by_density);
  EXPECT_EQ(page.features[0].id, 1);
  EXPECT_EQ(page.features[1].id, 3);

  FeatureQuery by_score;
  by_score.sort = FeatureSortKey::DescriptionScore;
  by_score.descending = false;  // NULL scores still last
  page = store.query(by_score);
  ASSERT_EQ(page.features.size(), 4u);
  EXPECT_EQ(page.features[0].id, 1);  // 0's score was cleared by its new description
  EXPECT_FALSE(page.features[1].description_score.has_value());

  FeatureQuery interpretable;
  interpretable.interpretable = true;
  EXPECT_EQ(store.query(interpretable).total, 2);
  interpretable.sort = FeatureSortKey::Enrichment;
  interpretable.descending = true;
  EXPECT_EQ(store.query(interpretable).features[0].id, 0);

  FeatureQuery bad;
  bad.search = "\"unterminated";
  EXPECT_THROW(store.query(bad), InputError);
}

TEST(FeatureStore, RefusesAnotherSaeUnlessForced) {
  TempDir dir;
  FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
  store.check_sae("sha256:aaaa", false);
  EXPECT_EQ(store.meta("sae_fingerprint"), std::optional<std::string>("sha256:aaaa"));
  store.check_sae("sha256:aaaa", false);
  EXPECT_THROW(store.check_sae("sha256:bbbb", false), InputError);
  store.check_sae("sha256:bbbb", true);
  EXPECT_EQ(store.meta("sae_fingerprint"), std::optional<std::string>("sha256:bbbb"));
}

TEST(FeatureStore, RejectsOtherSchemaVersionsAndMissingFiles) {
  TempDir dir;
  EXPECT_THROW(FeatureStore(dir / "missing.db", FeatureStore::Mode::ReadOnly), InputError);
  {
    FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadWrite);
    store.set_meta("schema_version", "99");
  }
  try {
    FeatureStore store(dir / "f.db", FeatureStore::Mode::ReadOnly);
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
}

TEST(FeatureStore, ReaderSeesWriterCommitsInWalMode) {
  TempDir dir;
  FeatureStore writer(dir / "f.db", FeatureStore::Mode::ReadWrite);
  EXPECT_EQ(writer.meta("schema_version"), std::optional<std::string>("1"));
  FeatureStore reader(dir / "f.db", FeatureStore::Mode::ReadOnly);
  EXPECT_EQ(reader.feature_count(), 0);
  fill(writer);
  EXPECT_EQ(reader.feature_count(), 4);
  auto st = writer.db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), "wal");
}

}  // namespace
}  // namespace saerad
