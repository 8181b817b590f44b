// `saerad interpret` and `saerad features` on a tiny cohort: statistics, extractive descriptions, resume,
// refusal of a store built from another SAE, and full-text search.
#include <gtest/gtest.h>

#include "interp/feature_store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_cohort.hpp"

namespace saerad {
namespace {

using testing::TempDir;

TEST(InterpretCli, DescribesResumesRefusesAnotherSaeAndSearches) {
  TempDir dir;
  testing::write_tiny_cohort(dir.path(), {1, 2});
  const std::string db = (dir / "features.db").string();
  auto interpret = [&](const std::string& sae, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--json", "interpret", "--sae", (dir / sae).string(), "--embeddings",
                                     (dir / "emb.safetensors").string(), "--studies", (dir / "studies.csv").string(),
                                     "--out", db};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_saerad(args);
  };
  // Only the three densest features first: an interrupted run that described part of the store.
  auto first = interpret("sae1", {"--features", "top-density:3"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json j1 = Json::parse(first.out);
  EXPECT_EQ(j1["described"], 3);
  EXPECT_TRUE(j1["statistics_computed"].get<bool>());
  // Resume: statistics kept, the three described features skipped, the rest described.
  auto second = interpret("sae1", {"--resume"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const Json j2 = Json::parse(second.out);
  EXPECT_FALSE(j2["statistics_computed"].get<bool>());
  EXPECT_EQ(j2["skipped_already_described"], 3);
  EXPECT_EQ(j2["described"].get<int64_t>() + 3, j2["selected"].get<int64_t>());

  {
    FeatureStore store(dir / "features.db", FeatureStore::Mode::ReadOnly);
    EXPECT_EQ(store.meta("schema_version"), std::optional<std::string>("1"));
    EXPECT_EQ(store.meta("top_k"), std::optional<std::string>("10"));
    FeatureQuery q;
    q.search = "effusion";
    q.interpretable = true;
    auto page = store.query(q);
    ASSERT_GE(page.total, 1) << "no feature describes the effusion";
    const auto& f = page.features[0];
    EXPECT_GT(f.density, 0.05);
    EXPECT_EQ(store.examples(f.id).size(), 10u);
    EXPECT_GT(f.enrichment["Pleural Effusion"]["log_odds"].get<double>(), 1.0);
    ASSERT_TRUE(f.description_score.has_value());
    EXPECT_GT(*f.description_score, 0.8);  // the effusion feature predicts effusion reports on held-out studies
  }

  // Another SAE: refused unless --force.
  auto refused = interpret("sae2", {});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("another SAE"), std::string::npos) << refused.err;
  auto forced = interpret("sae2", {"--force", "--features", "top-density:2"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(Json::parse(forced.out)["statistics_computed"].get<bool>());

  auto search = testing::run_saerad({"features", "--features", db, "--search", "effusion"});
  EXPECT_EQ(search.exit_code, 0) << search.err;
  auto bad = testing::run_saerad({"interpret", "--sae", (dir / "sae1").string(), "--embeddings",
                                  (dir / "emb.safetensors").string(), "--studies", (dir / "studies.csv").string(),
                                  "--out", (dir / "other.db").string(), "--features", "top-density:x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("top-density"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace saerad
