#include "demo/phantom_cohort_writer.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "data/manifest.hpp"
#include "demo/phantom_render.hpp"
#include "vision/pillow_resample.hpp"

namespace saerad::demo {

namespace fs = std::filesystem;

std::string phantom_split(uint64_t seed, int index, double test_fraction) {
  Rng rng = Rng(seed ^ 0x5ea5eedull).split(uint64_t(index));
  return rng.bernoulli(test_fraction) ? "test" : "train";
}

Image contact_sheet(const std::vector<Image>& images, int columns, int cell) {
  const int n = int(images.size());
  const int rows = std::max(1, (n + columns - 1) / columns), gap = 2;
  Image sheet(columns * (cell + gap) + gap, rows * (cell + gap) + gap, 1, 24);
  for (int i = 0; i < n; ++i) {
    const Image thumb = pillow_resize(to_gray(images[size_t(i)]), cell, cell, PillowFilter::kBilinear);
    const int ox = gap + (i % columns) * (cell + gap), oy = gap + (i / columns) * (cell + gap);
    for (int y = 0; y < cell; ++y) std::copy_n(thumb.row(y), cell, sheet.row(oy + y) + ox);
  }
  return sheet;
}

namespace {

std::string severity_word(Severity s) { return std::array{"mild", "moderate", "severe"}[int(s)]; }
std::string side_name(Side s) { return std::array{"right", "left", "bilateral"}[int(s)]; }

// labels.csv: the ground truth of the image — one 0/1 column per finding, then its detail.
std::string labels_csv(const std::vector<PhantomStudy>& studies) {
  std::vector<std::string> header = {"study_id", "patient_type"};
  for (auto name : kFindingNames) header.emplace_back(name);
  header.emplace_back("details");
  std::string out = csv_line(header);
  for (const auto& st : studies) {
    std::vector<std::string> row = {st.study_id, st.patient_type};
    std::string details;
    for (size_t f = 0; f < kNumFindings; ++f) {
      const auto& fi = st.findings[f];
      row.push_back(fi.present ? "1" : "0");
      if (!fi.present) continue;
      if (!details.empty()) details += "; ";
      details += std::string(kFindingNames[f]) + " " + side_name(fi.side) + " " + severity_word(fi.severity);
    }
    row.push_back(details);
    out += csv_line(row);
  }
  return out;
}

// chexpert_labels.csv: what each report states, in the labeler's own CSV format (study_id first).
std::string chexpert_csv(const std::vector<PhantomStudy>& studies, const std::vector<PhantomReport>& reports) {
  std::vector<std::string> header = {"study_id", "Reports"};
  for (auto name : kObservations) header.emplace_back(name);
  std::string out = csv_line(header);
  for (size_t i = 0; i < studies.size(); ++i) {
    std::vector<std::string> row = {studies[i].study_id, reports[i].findings};
    for (const auto& v : reports[i].labels) row.push_back(v ? std::to_string(*v) + ".0" : "");
    out += csv_line(row);
  }
  return out;
}

}  // namespace

PhantomCohort write_phantom_cohort(const PhantomOptions& options) {
  if (options.n < 1) fail_input("phantom: --n must be at least 1 (got {})", options.n);
  if (options.image_size < 64 || options.image_size > 4096)
    fail_input("phantom: --size must be between 64 and 4096 (got {})", options.image_size);
  PhantomCohort cohort;
  cohort.studies = sample_cohort(options.seed, options.n);
  cohort.image_dir = options.out / "images";
  fs::create_directories(cohort.image_dir);

  const int n = options.n;
  cohort.reports.resize(size_t(n));
  cohort.splits.resize(size_t(n));
  const int sheet_count = std::min(n, 24);
  std::vector<Image> sheet_images(static_cast<size_t>(sheet_count));
  Progress progress("phantom", n, "images");
  std::atomic<bool> failed{false};
  std::string failure;
#pragma omp parallel for schedule(dynamic, 4)
  for (int i = 0; i < n; ++i) {
    if (failed) continue;
    try {
      const PhantomStudy& st = cohort.studies[size_t(i)];
      cohort.reports[size_t(i)] = write_report(st);
      cohort.splits[size_t(i)] = phantom_split(options.seed, i, options.test_fraction);
      Image image = render_phantom(st, options.image_size);
      write_png(cohort.image_dir / (st.study_id + ".png"), image);
      if (i < sheet_count) sheet_images[size_t(i)] = std::move(image);
      progress.advance();
    } catch (const std::exception& e) {
#pragma omp critical
      if (!failed.exchange(true)) failure = e.what();
    }
  }
  if (failed) fail("phantom: {}", failure);
  progress.finish();

  std::vector<StudyRow> rows;
  for (int i = 0; i < n; ++i) {
    const PhantomStudy& st = cohort.studies[size_t(i)];
    StudyRow row;
    row.study_id = st.study_id;
    row.subject_id = st.subject_id;
    row.image_id = st.study_id + "_pa";
    row.image_path = "images/" + st.study_id + ".png";
    row.view = "PA";
    row.split = cohort.splits[size_t(i)];
    row.indication = st.patient_type == std::string("healthy") ? "Routine chest radiograph." : "Chest radiograph.";
    row.findings = cohort.reports[size_t(i)].findings;
    row.impression = cohort.reports[size_t(i)].impression;
    rows.push_back(std::move(row));
  }
  cohort.manifest = options.out / "studies.csv";
  write_manifest(cohort.manifest, rows);
  write_file_atomic(options.out / "labels.csv", labels_csv(cohort.studies));
  write_file_atomic(options.out / "chexpert_labels.csv", chexpert_csv(cohort.studies, cohort.reports));
  write_png(options.out / "contact_sheet.png", contact_sheet(sheet_images, 6, 160));

  Provenance prov;
  prov.seed = options.seed;
  prov.input("generator", "phantom-v1");
  Json run = prov.to_json();
  run["n"] = n;
  run["image_size"] = options.image_size;
  run["test_fraction"] = options.test_fraction;
  write_json_file(options.out / "run.json", run);
  return cohort;
}

}  // namespace saerad::demo
