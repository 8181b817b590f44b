#pragma once
// demo/index.html: one self-contained page (inline CSS, no scripts, no network) that links only relative
// files under demo/ — the cohort's contact sheet and images, feature thumbnails (written here, thumbs/),
// the SAE's training plots — and shows the top features, test studies with their ground-truth and generated
// reports (with the features behind each sentence), the metrics and concept-recovery tables, stage timings.
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "demo/concept_recovery.hpp"
#include "demo/phantom_cohort_writer.hpp"
#include "interp/feature_store.hpp"

namespace saerad::demo {

struct DemoStudyView {
  size_t cohort_index = 0;  // into cohort.studies
  std::string generated_report;
  Json provenance = Json::array();  // [{sentence, features: [{id, importance, description}]}]
};

struct DemoPageData {
  const PhantomCohort* cohort = nullptr;
  std::filesystem::path cohort_dir;  // relative to the page: "cohort"
  const FeatureStore* store = nullptr;
  std::vector<ConceptResult> concepts;
  std::vector<DemoStudyView> test_studies;
  Json metrics;          // metrics.json (scores, baseline, concept_recovery, stage_seconds, config)
  std::string encoder, describer, composer;
  std::vector<std::string> plots;  // relative paths of SVG plots
};

// Writes out/index.html and out/thumbs/*.png.
void write_demo_page(const std::filesystem::path& out, const DemoPageData& data);

// Every href/src target of an HTML page except in-page anchors ('#…'): the demo's must all be relative
// paths of files under demo/.
std::vector<std::string> page_links(const std::string& html);

}  // namespace saerad::demo
