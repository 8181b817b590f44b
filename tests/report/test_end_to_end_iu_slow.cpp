// End to end on IU X-Ray report text (issue 7): embeddings built from the studies' human MeSH codes (one random
// direction per code + noise), an SAE trained on them, features described with `extractive`, reports composed
// for held-out studies, and CheXpert micro-F1-14 (uncertain_as_negative) against two baselines: the report of
// a random training study (seeded) and the report of the nearest training embedding (cosine).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "../interp/iu_reports.hpp"
#include "core/embeddings.hpp"
#include "core/rng.hpp"
#include "data/manifest.hpp"
#include "eval/evaluate.hpp"
#include "interp/feature_store.hpp"
#include "sae/trainer.hpp"

namespace saerad {
namespace {

using testing::TempDir;

double micro_f1(const std::vector<eval::Prediction>& predictions, const std::vector<eval::Reference>& references,
                const ChexpertLabeler& labeler) {
  eval::EvalOptions options;
  options.metrics = {"chexpert"};
  options.labeler = &labeler;
  const Json scores = eval::evaluate(predictions, references, options);
  return scores["chexpert"]["uncertain_as_negative"]["micro_f1_14"].get<double>();
}

TEST(EndToEndIu, ExtractiveReportsBeatARandomTrainingReport) {
  SAERAD_REQUIRE_SHARED(testing::kIuReports);
  auto iu = testing::read_iu_reports();
  std::vector<testing::IuReport> reports;
  for (auto& r : iu)
    if (!r.findings.empty() && !r.mesh.empty()) reports.push_back(std::move(r));
  ASSERT_GT(reports.size(), 2000u);

  // One direction per MeSH code seen at least 10 times; the rest add nothing.
  std::map<std::string, int> code_count;
  for (const auto& r : reports)
    for (const auto& m : r.mesh) ++code_count[m];
  const int64_t d = 64;
  Rng rng(2024);
  std::map<std::string, std::vector<float>> direction;
  for (const auto& [code, count] : code_count) {
    if (count < 10) continue;
    std::vector<float> v(static_cast<size_t>(d));
    double norm = 0;
    for (auto& x : v) {
      x = float(rng.normal());
      norm += double(x) * x;
    }
    for (auto& x : v) x = float(x / std::sqrt(norm));
    direction[code] = std::move(v);
  }
  rng.shuffle(reports);
  const size_t n_test = 400;
  Embeddings emb;
  emb.vectors = MatrixF32(int64_t(reports.size()), d);
  emb.model = "mesh-directions-test";
  std::vector<StudyRow> rows;
  for (size_t i = 0; i < reports.size(); ++i) {
    float* x = emb.vectors.row(int64_t(i));
    for (int64_t j = 0; j < d; ++j) x[j] = float(0.15 * rng.normal());
    for (const auto& m : reports[i].mesh) {
      auto it = direction.find(m);
      if (it == direction.end()) continue;
      const double scale = 1.0 + 0.2 * rng.normal();
      for (int64_t j = 0; j < d; ++j) x[j] += float(scale * it->second[size_t(j)]);
    }
    const std::string id = "iu" + reports[i].uid;
    emb.ids.push_back(id);
    emb.study_ids.push_back(id);
    StudyRow row;
    row.study_id = id;
    row.split = i < n_test ? "test" : "train";
    row.findings = reports[i].findings;
    row.impression = reports[i].impression;
    rows.push_back(std::move(row));
  }
  TempDir dir;
  write_embeddings(dir / "emb.safetensors", emb, Provenance{});
  write_manifest(dir / "studies.csv", rows);

  // The SAE: trained on the training split only.
  Embeddings train = emb;
  train.vectors = MatrixF32(int64_t(reports.size() - n_test), d);
  std::copy(emb.vectors.row(int64_t(n_test)), emb.vectors.row(int64_t(reports.size())), train.vectors.data.begin());
  train.ids.assign(emb.ids.begin() + long(n_test), emb.ids.end());
  train.study_ids = train.ids;
  TrainOptions options;
  options.out_dir = dir / "sae";
  options.latents = 256;
  options.batch = 256;
  options.steps = 3000;
  options.lr = 1e-3;
  options.l1 = 5.0;
  options.seed = 1;
  options.plots = false;
  options.checkpoint_every = 0;
  const TrainResult trained = train_sae(train, options);
  std::printf("SAE: %s\n", trained.metrics.dump().c_str());

  auto run = [&](const std::vector<std::string>& args) {
    auto r = testing::run_saerad(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  run({"interpret", "--sae", (dir / "sae").string(), "--embeddings", (dir / "emb.safetensors").string(),
       "--studies", (dir / "studies.csv").string(), "--out", (dir / "features.db").string(), "--quiet"});
  run({"report", "--sae", (dir / "sae").string(), "--features", (dir / "features.db").string(), "--embeddings",
       (dir / "emb.safetensors").string(), "--studies", (dir / "studies.csv").string(), "--split", "test", "--out",
       (dir / "preds.jsonl").string(), "--max-features", "8", "--store", "--quiet"});
  const FeatureStore store(dir / "features.db", FeatureStore::Mode::ReadOnly);
  const auto summary = store.score_summary();
  std::printf("description scores: %s\n", summary.to_json().dump().c_str());
  // --store: the reports table holds every held-out study's report.
  EXPECT_EQ(store.reports().size(), n_test);
  ASSERT_TRUE(store.report(rows[0].study_id, "extractive").has_value());

  const auto predictions = eval::read_report_file(dir / "preds.jsonl");
  ASSERT_EQ(predictions.size(), n_test);
  std::vector<eval::Reference> references;
  for (size_t i = 0; i < n_test; ++i) references.push_back({rows[i].study_id, rows[i].findings, Json()});
  int with_text = 0;
  for (const auto& p : predictions) {
    with_text += !p.report.empty();
    // Every sentence names the features behind it, with their example studies.
    for (const auto& s : p.provenance) {
      ASSERT_FALSE(s["features"].empty());
      ASSERT_TRUE(s["features"][0].contains("examples"));
    }
  }

  // Baselines.
  Rng pick(99);
  std::vector<eval::Prediction> random_baseline, nearest_baseline;
  for (size_t i = 0; i < n_test; ++i) {
    const size_t j = n_test + size_t(pick.below(reports.size() - n_test));
    random_baseline.push_back({rows[i].study_id, rows[j].findings, Json()});
    const float* x = emb.vectors.row(int64_t(i));
    double best = -2;
    size_t best_j = n_test;
    for (size_t t = n_test; t < reports.size(); ++t) {
      const float* y = emb.vectors.row(int64_t(t));
      double dot = 0, nx = 0, ny = 0;
      for (int64_t k = 0; k < d; ++k) {
        dot += double(x[k]) * y[k];
        nx += double(x[k]) * x[k];
        ny += double(y[k]) * y[k];
      }
      const double cosine = dot / std::sqrt(nx * ny + 1e-30);
      if (cosine > best) {
        best = cosine;
        best_j = t;
      }
    }
    nearest_baseline.push_back({rows[i].study_id, rows[best_j].findings, Json()});
  }
  const ChexpertLabeler labeler;
  const double f1_sae = micro_f1(predictions, references, labeler);
  const double f1_random = micro_f1(random_baseline, references, labeler);
  const double f1_nearest = micro_f1(nearest_baseline, references, labeler);
  std::printf("CheXpert micro-F1-14 (uncertain_as_negative) on %zu held-out IU studies: SAE-Rad extractive %.3f, "
              "random training report %.3f, nearest-neighbour report %.3f; %d reports non-empty\n",
              n_test, f1_sae, f1_random, f1_nearest, with_text);
  EXPECT_GE(with_text, int(n_test * 8 / 10));
  EXPECT_GE(f1_sae, f1_random + 0.15);
  EXPECT_GT(summary.interpretable, 10);
}

}  // namespace
}  // namespace saerad
