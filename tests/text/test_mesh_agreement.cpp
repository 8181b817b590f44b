// The labeler against IU X-Ray's human MeSH codes (findings + impression of every report): F1 of our
// positive-or-uncertain label vs the MeSH term being present. Needs ../shared/data/iu-xray (skipped otherwise).
// Thresholds from the issue: ≥ 0.80 Cardiomegaly and Pleural Effusion, ≥ 0.75 Pneumothorax (26 positives);
// a crude regex with a negation window reaches 0.80 / 0.86 / 0.79.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "core/csv.hpp"
#include "core/strings.hpp"
#include "support/test_support.hpp"
#include "text/chexpert.hpp"

namespace saerad {
namespace {

struct MeshClass {
  const char* mesh;
  const char* observation;
  double min_f1;  // 0 = reported only
};

constexpr MeshClass kClasses[] = {
    {"Cardiomegaly", "Cardiomegaly", 0.80}, {"Pleural Effusion", "Pleural Effusion", 0.80},
    {"Pneumothorax", "Pneumothorax", 0.75}, {"Pulmonary Atelectasis", "Atelectasis", 0.0},
    {"Pulmonary Edema", "Edema", 0.0},      {"Consolidation", "Consolidation", 0.0},
    {"Pneumonia", "Pneumonia", 0.0},        {"Fractures, Bone", "Fracture", 0.0},
};

TEST(MeshAgreement, IuXrayPositiveOrUncertainVsMesh) {
  SAERAD_REQUIRE_SHARED("data/iu-xray/indiana_reports.csv");
  CsvTable table(CsvReader::open(testing::shared_dir() / "data/iu-xray/indiana_reports.csv"));
  const size_t mesh_col = table.require_column("MeSH"), findings_col = table.require_column("findings"),
               impression_col = table.require_column("impression");
  std::vector<std::string> reports;
  std::vector<std::vector<std::string>> terms;
  std::vector<std::string> row;
  while (table.next(row)) {
    std::string text = std::string(trim(row[findings_col]));
    const std::string_view impression = trim(row[impression_col]);
    if (!impression.empty()) text += (text.empty() ? "" : " ") + std::string(impression);
    if (text.empty()) continue;
    reports.push_back(text);
    std::vector<std::string> t;
    for (const std::string& code : split(row[mesh_col], ';')) t.emplace_back(trim(split(code, '/')[0]));
    terms.push_back(std::move(t));
  }
  ASSERT_GT(reports.size(), 3000u);
  ChexpertLabeler labeler;
  const std::vector<ChexpertLabels> labels = labeler.label_all(reports);
  std::printf("IU X-Ray, %zu reports (findings + impression): positive-or-uncertain vs MeSH\n", reports.size());
  std::printf("%-18s %6s %5s %5s %5s %7s %7s %7s\n", "class", "MeSH+", "TP", "FP", "FN", "P", "R", "F1");
  for (const MeshClass& c : kClasses) {
    const size_t obs = *observation_index(c.observation);
    int tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < reports.size(); ++i) {
      const bool truth = std::find(terms[i].begin(), terms[i].end(), c.mesh) != terms[i].end();
      const bool predicted = labels[i][obs].has_value() && *labels[i][obs] != 0;
      tp += truth && predicted;
      fp += !truth && predicted;
      fn += truth && !predicted;
    }
    const double p = tp + fp ? double(tp) / (tp + fp) : 0, r = tp + fn ? double(tp) / (tp + fn) : 0;
    const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    std::printf("%-18s %6d %5d %5d %5d %7.3f %7.3f %7.3f\n", c.observation, tp + fn, tp, fp, fn, p, r, f1);
    if (c.min_f1 > 0) {
      EXPECT_GE(f1, c.min_f1) << c.observation;
    }
  }
}

}  // namespace
}  // namespace saerad
