// The phantom cohort: determinism by seed, label-readable reports, images that carry their findings, and the
// `saerad phantom` command's files.
#include <gtest/gtest.h>

#include <cmath>

#include "core/csv.hpp"
#include "data/manifest.hpp"
#include "demo/phantom_cohort.hpp"
#include "demo/phantom_render.hpp"
#include "demo/phantom_report.hpp"
#include "support/test_support.hpp"
#include "text/chexpert.hpp"
#include "vision/image.hpp"

namespace saerad::demo {
namespace {

using saerad::testing::TempDir;
namespace fs = std::filesystem;

TEST(Phantom, SameSeedSameStudyImageAndReport) {
  for (int index : {0, 7, 123}) {
    const PhantomStudy a = sample_study(42, index), b = sample_study(42, index);
    EXPECT_EQ(finding_vector(a), finding_vector(b));
    EXPECT_EQ(a.patient_type, b.patient_type);
    EXPECT_EQ(write_report(a).findings, write_report(b).findings);
    EXPECT_EQ(render_phantom(a, 128).pixels, render_phantom(b, 128).pixels);
  }
}

TEST(Phantom, StudyDoesNotDependOnCohortSize) {
  const auto small = sample_cohort(5, 10), large = sample_cohort(5, 50);
  for (size_t i = 0; i < small.size(); ++i) EXPECT_EQ(write_report(small[i]).findings, write_report(large[i]).findings);
}

TEST(Phantom, DifferentSeedsDiffer) {
  int differing = 0;
  for (int i = 0; i < 20; ++i) differing += write_report(sample_study(1, i)).findings != write_report(sample_study(2, i)).findings;
  EXPECT_GE(differing, 15);
  EXPECT_NE(render_phantom(sample_study(1, 0), 96).pixels, render_phantom(sample_study(2, 0), 96).pixels);
}

TEST(Phantom, EveryFindingOccursAndCoOccursRealistically) {
  const auto cohort = sample_cohort(0, 2000);
  std::array<int, kNumFindings> count{};
  int cardiomegaly_edema = 0, fracture_pneumothorax = 0, healthy = 0;
  for (const auto& s : cohort) {
    for (size_t f = 0; f < kNumFindings; ++f) count[f] += s.findings[f].present;
    cardiomegaly_edema += s.has(Finding::kCardiomegaly) && s.has(Finding::kEdema);
    fracture_pneumothorax += s.has(Finding::kRibFracture) && s.has(Finding::kPneumothorax);
    healthy += !s.has_pathology();
  }
  for (size_t f = 0; f < kNumFindings; ++f) {
    EXPECT_GE(count[f], 2000 * 0.04) << kFindingNames[f];  // each concept has enough positives to measure
    EXPECT_LE(count[f], 2000 * 0.40) << kFindingNames[f];
  }
  // Co-occurrence: P(edema | cardiomegaly) well above P(edema).
  const double p_edema = count[size_t(Finding::kEdema)] / 2000.0;
  EXPECT_GT(double(cardiomegaly_edema) / count[size_t(Finding::kCardiomegaly)], 2 * p_edema);
  const double p_ptx = count[size_t(Finding::kPneumothorax)] / 2000.0;
  EXPECT_GT(double(fracture_pneumothorax) / count[size_t(Finding::kRibFracture)], 2 * p_ptx);
  EXPECT_GT(healthy, 2000 * 0.25);
}

// The labeler reads every generated report back to the labels it was written from (≥ 0.98 per observation,
// the bar; blank counts as a value that must match too).
TEST(Phantom, ChexpertLabelerReadsReportsBackToGroundTruth) {
  const ChexpertLabeler labeler;
  const auto cohort = sample_cohort(11, 1000);
  std::array<int, kNumObservations> agree{};
  for (const auto& s : cohort) {
    const PhantomReport r = write_report(s);
    const ChexpertLabels got = labeler.label(r.findings);
    for (size_t k = 0; k < kNumObservations; ++k) agree[k] += got[k] == r.labels[k];
  }
  for (size_t k = 0; k < kNumObservations; ++k)
    EXPECT_GE(agree[k] / 1000.0, 0.98) << kObservations[k];
}

TEST(Phantom, ReportsStateTheFindingsWithLateralityAndSeverity) {
  for (int i = 0; i < 300; ++i) {
    const PhantomStudy s = sample_study(3, i);
    const PhantomReport r = write_report(s);
    auto label = [&](std::string_view name) { return r.labels[*observation_index(name)]; };
    EXPECT_EQ(label("Pleural Effusion") == 1, s.has(Finding::kPleuralEffusion)) << r.findings;
    EXPECT_EQ(label("Pneumothorax") == 1, s.has(Finding::kPneumothorax)) << r.findings;
    EXPECT_EQ(label("Cardiomegaly") == 1, s.has(Finding::kCardiomegaly)) << r.findings;
    EXPECT_EQ(label("Fracture") == 1, s.has(Finding::kRibFracture)) << r.findings;
    EXPECT_EQ(label("No Finding") == 1, !s.has_pathology()) << r.findings;
    if (s.has(Finding::kPneumothorax)) {
      const std::string side = s.finding(Finding::kPneumothorax).side == Side::kLeft ? "left" : "right";
      EXPECT_NE(r.findings.find(side + " "), std::string::npos) << r.findings;
    }
  }
}

// Mean intensity of a box (fractions of the image) of a gray image.
double box_mean(const Image& im, double x0, double y0, double x1, double y1) {
  double sum = 0;
  int n = 0;
  for (int y = int(y0 * im.height); y < int(y1 * im.height); ++y)
    for (int x = int(x0 * im.width); x < int(x1 * im.width); ++x, ++n) sum += im.row(y)[x];
  return sum / n;
}

TEST(Phantom, ImagesLookLikeChestRadiographsAndShowTheirFindings) {
  PhantomStudy s = sample_study(0, 0);
  for (auto& f : s.findings) f.present = false;
  s.anatomy.rotation = 0;
  const Image clear = render_phantom(s, 256);
  ASSERT_EQ(clear.width, 256);
  ASSERT_EQ(clear.channels, 1);
  // Lungs dark, mediastinum and abdomen bright, air outside the body darkest.
  const double lung = box_mean(clear, 0.25, 0.35, 0.35, 0.5), med = box_mean(clear, 0.47, 0.3, 0.53, 0.45);
  const double abdomen = box_mean(clear, 0.3, 0.9, 0.7, 0.98), outside = box_mean(clear, 0.0, 0.5, 0.04, 0.7);
  EXPECT_LT(lung + 40, med);
  EXPECT_LT(lung + 40, abdomen);
  EXPECT_LT(outside, lung);
  // A large right effusion whitens the right lung base.
  PhantomStudy eff = s;
  auto& e = eff.findings[size_t(Finding::kPleuralEffusion)];
  e = {.present = true, .side = Side::kRight, .severity = Severity::kSevere};
  const Image effusion = render_phantom(eff, 256);
  const double base_box[] = {0.22, 0.6, 0.36, 0.7};
  EXPECT_GT(box_mean(effusion, base_box[0], base_box[1], base_box[2], base_box[3]),
            box_mean(clear, base_box[0], base_box[1], base_box[2], base_box[3]) + 25);
}

TEST(PhantomCli, WritesManifestLabelsImagesAndContactSheet) {
  TempDir dir;
  const auto r = saerad::testing::run_saerad({"phantom", "--n", "7", "--size", "128", "--seed", "3", "--out",
                                              (dir / "ph").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Manifest m = read_manifest(dir / "ph" / "studies.csv");
  ASSERT_EQ(m.rows.size(), 7u);
  for (const auto& row : m.rows) {
    EXPECT_EQ(row.view, "PA");
    EXPECT_TRUE(row.split == "train" || row.split == "test");
    EXPECT_FALSE(row.findings.empty());
    const Image im = read_image(m.image_file(row));
    EXPECT_EQ(im.width, 128);
    EXPECT_EQ(im.height, 128);
  }
  EXPECT_TRUE(fs::exists(dir / "ph" / "contact_sheet.png"));
  CsvReader labels = CsvReader::open(dir / "ph" / "labels.csv");
  std::vector<std::string> rec;
  ASSERT_TRUE(labels.next(rec));
  EXPECT_EQ(rec[0], "study_id");
  EXPECT_EQ(rec.size(), 2 + kNumFindings + 1);
  int rows = 0;
  while (labels.next(rec)) ++rows;
  EXPECT_EQ(rows, 7);
  // The same seed writes the same cohort.
  const auto again = saerad::testing::run_saerad({"phantom", "--n", "7", "--size", "128", "--seed", "3", "--out",
                                                  (dir / "ph2").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_image(dir / "ph" / "images" / "ph00004.png").pixels, read_image(dir / "ph2" / "images" / "ph00004.png").pixels);
  EXPECT_EQ(read_manifest(dir / "ph2" / "studies.csv").rows[4].findings, m.rows[4].findings);
}

TEST(PhantomCli, RejectsBadOptions) {
  TempDir dir;
  const auto r = saerad::testing::run_saerad({"phantom", "--n", "0", "--out", (dir / "x").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--n"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace saerad::demo
