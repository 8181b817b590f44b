#pragma once
// The synthetic cohort of the demo: each phantom study is a patient (anatomy + acquisition variation) and a
// set of findings with location, laterality and severity, drawn with realistic co-occurrence (heart failure,
// ICU, pneumonia, trauma and oncology patients). Everything downstream — the image (phantom_render), the
// report (phantom_report) and the ground-truth labels — is a pure function of the study, and the study is a
// pure function of (seed, index): the cohort is deterministic by seed.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"
#include "text/chexpert.hpp"

namespace saerad::demo {

// The findings the generator draws; each is one ground-truth concept of the demo's concept recovery.
enum class Finding : int {
  kCardiomegaly = 0,
  kPleuralEffusion,
  kPneumothorax,
  kConsolidation,
  kNodule,
  kEdema,
  kAtelectasis,
  kPacemaker,
  kEndotrachealTube,
  kCentralLine,
  kNasogastricTube,
  kRibFracture,
};
inline constexpr size_t kNumFindings = 12;
// snake_case names (metrics.json keys, labels.csv columns) in enum order.
inline constexpr std::array<std::string_view, kNumFindings> kFindingNames = {
    "cardiomegaly", "pleural_effusion", "pneumothorax",  "consolidation",  "nodule",           "edema",
    "atelectasis",  "pacemaker",        "endotracheal_tube", "central_line", "nasogastric_tube", "rib_fracture"};
// The CheXpert observation each finding is reported as.
std::string_view chexpert_observation(Finding finding);

enum class Side : int { kRight = 0, kLeft = 1, kBilateral = 2 };  // the patient's side
enum class Severity : int { kMild = 0, kModerate = 1, kSevere = 2 };
enum class Zone : int { kUpper = 0, kMiddle = 1, kLower = 2 };  // lung zone (lobe for consolidation)

struct FindingInstance {
  bool present = false;
  Side side = Side::kRight;
  Severity severity = Severity::kMild;
  Zone zone = Zone::kLower;
  double x = 0, y = 0;  // location inside the zone, in [0, 1] (nodule centre, fracture rib, …)
  int variant = 0;      // device type (central line: 0 right IJ, 1 left subclavian, 2 PICC) / rib number
};

// Patient and acquisition variation (all in units of the image width/height).
struct Anatomy {
  double scale = 1.0;        // body size
  double center_x = 0.5;     // thorax centre
  double rotation = 0.0;     // radians, about the image centre
  double diaphragm = 0.72;   // height of the right dome (inspiration: lower is deeper)
  double apex = 0.15;        // lung apex height
  double heart_width = 0.24; // fraction of the image width (cardiothoracic ratio × thorax width)
  double exposure = 1.0;     // contrast multiplier
  double brightness = 0.0;   // intensity offset
  double noise = 0.02;       // quantum noise sigma
  double bone_density = 1.0;
  uint64_t texture_seed = 0; // vessel tree and noise
};

struct PhantomStudy {
  int index = 0;
  std::string study_id, subject_id;
  std::string patient_type;  // "healthy", "heart failure", "icu", "pneumonia", "trauma", "oncology"
  Anatomy anatomy;
  std::array<FindingInstance, kNumFindings> findings{};
  const FindingInstance& finding(Finding f) const { return findings[size_t(f)]; }
  bool has(Finding f) const { return findings[size_t(f)].present; }
  bool has_pathology() const;  // any finding other than support devices
};

// Study `index` of the cohort with seed `seed` (independent of the cohort's size).
PhantomStudy sample_study(uint64_t seed, int index);
std::vector<PhantomStudy> sample_cohort(uint64_t seed, int n);

// The study's findings as a 0/1 vector in kFindingNames order (the concepts of concept recovery).
std::array<uint8_t, kNumFindings> finding_vector(const PhantomStudy& study);

}  // namespace saerad::demo
