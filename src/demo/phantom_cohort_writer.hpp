#pragma once
// `saerad phantom`: renders a phantom cohort to disk — images/<study_id>.png, studies.csv (docs/formats.md),
// labels.csv (the ground-truth findings, one 0/1 column per finding with laterality/severity),
// chexpert_labels.csv (the labels each report states, in the labeler's CSV format with a study_id column),
// contact_sheet.png and run.json (provenance). Deterministic by seed; rendered in parallel.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "demo/phantom_cohort.hpp"
#include "demo/phantom_report.hpp"
#include "vision/image.hpp"

namespace saerad::demo {

struct PhantomOptions {
  int n = 100;
  int image_size = 512;
  uint64_t seed = 0;
  double test_fraction = 0.25;  // studies.csv `split`: test with this probability, else train
  std::filesystem::path out;
};

struct PhantomCohort {
  std::vector<PhantomStudy> studies;
  std::vector<PhantomReport> reports;
  std::vector<std::string> splits;  // "train" / "test" per study
  std::filesystem::path manifest;   // studies.csv
  std::filesystem::path image_dir;
};

std::string phantom_split(uint64_t seed, int index, double test_fraction);
PhantomCohort write_phantom_cohort(const PhantomOptions& options);

// A grid of thumbnails (cell × cell pixels each, `columns` across) of the first images.
Image contact_sheet(const std::vector<Image>& images, int columns, int cell);

}  // namespace saerad::demo
