#include "demo/phantom_cohort.hpp"

#include <cstdio>

namespace saerad::demo {

namespace {

struct PatientType {
  const char* name;
  double weight;
  // Probability of each finding (kFindingNames order) for this kind of patient: the co-occurrence structure.
  std::array<double, kNumFindings> p;
};

//                 card  eff   ptx   cons  nod   edema atel  pace  ett   cvc   ngt   ribfx
constexpr PatientType kTypes[] = {
    {"healthy", 0.35, {0.03, 0.02, 0.01, 0.02, 0.03, 0.00, 0.04, 0.01, 0.00, 0.01, 0.00, 0.02}},
    {"heart failure", 0.17, {0.85, 0.60, 0.01, 0.10, 0.03, 0.70, 0.15, 0.40, 0.05, 0.15, 0.03, 0.01}},
    {"icu", 0.17, {0.25, 0.35, 0.10, 0.35, 0.03, 0.25, 0.45, 0.08, 0.80, 0.75, 0.65, 0.05}},
    {"pneumonia", 0.13, {0.08, 0.30, 0.02, 0.90, 0.03, 0.05, 0.25, 0.03, 0.05, 0.10, 0.02, 0.01}},
    {"trauma", 0.08, {0.03, 0.15, 0.60, 0.15, 0.03, 0.02, 0.30, 0.01, 0.20, 0.25, 0.15, 0.70}},
    {"oncology", 0.10, {0.05, 0.35, 0.05, 0.10, 0.85, 0.02, 0.20, 0.02, 0.00, 0.35, 0.02, 0.03}},
};

Side draw_side(Rng& rng, double p_bilateral) {
  if (rng.bernoulli(p_bilateral)) return Side::kBilateral;
  return rng.bernoulli(0.5) ? Side::kRight : Side::kLeft;
}

Severity draw_severity(Rng& rng) {
  const double u = rng.uniform();
  return u < 0.45 ? Severity::kMild : u < 0.8 ? Severity::kModerate : Severity::kSevere;
}

Anatomy draw_anatomy(Rng& rng) {
  // Patient variation, kept moderate: in the builtin encoder's view a few percent of body size, inspiration or
  // rotation moves every edge across grid cells, and unchecked it dwarfs the findings (the demo's SAE then
  // spends its features on anatomy rather than on the concepts it is scored on).
  Anatomy a;
  a.scale = rng.uniform(0.985, 1.015);
  a.center_x = 0.5 + 0.003 * rng.normal();
  a.rotation = 0.006 * rng.normal();
  a.diaphragm = rng.uniform(0.72, 0.74);
  a.apex = rng.uniform(0.14, 0.15);
  a.heart_width = rng.uniform(0.41, 0.46);  // cardiothoracic ratio of a normal heart
  a.exposure = rng.uniform(0.92, 1.08);
  a.brightness = 0.025 * rng.normal();
  a.noise = rng.uniform(0.016, 0.02);
  a.bone_density = rng.uniform(0.95, 1.05);
  a.texture_seed = rng.next_u64();
  return a;
}

}  // namespace

std::string_view chexpert_observation(Finding finding) {
  switch (finding) {
    case Finding::kCardiomegaly: return "Cardiomegaly";
    case Finding::kPleuralEffusion: return "Pleural Effusion";
    case Finding::kPneumothorax: return "Pneumothorax";
    case Finding::kConsolidation: return "Consolidation";
    case Finding::kNodule: return "Lung Lesion";
    case Finding::kEdema: return "Edema";
    case Finding::kAtelectasis: return "Atelectasis";
    case Finding::kRibFracture: return "Fracture";
    default: return "Support Devices";
  }
}

bool PhantomStudy::has_pathology() const {
  for (size_t f = 0; f < kNumFindings; ++f)
    if (findings[f].present && chexpert_observation(Finding(f)) != "Support Devices") return true;
  return false;
}

PhantomStudy sample_study(uint64_t seed, int index) {
  Rng rng = Rng(seed).split(uint64_t(index) + 1);
  PhantomStudy s;
  s.index = index;
  char id[32];
  std::snprintf(id, sizeof id, "ph%05d", index);
  s.study_id = id;
  std::snprintf(id, sizeof id, "pt%05d", index);
  s.subject_id = id;

  double total = 0;
  for (const auto& t : kTypes) total += t.weight;
  double u = rng.uniform() * total;
  const PatientType* type = &kTypes[0];
  for (const auto& t : kTypes) {
    type = &t;
    if ((u -= t.weight) < 0) break;
  }
  s.patient_type = type->name;
  s.anatomy = draw_anatomy(rng);

  for (size_t f = 0; f < kNumFindings; ++f) {
    FindingInstance& fi = s.findings[f];
    fi.present = rng.bernoulli(type->p[f]);
    fi.severity = draw_severity(rng);
    fi.side = draw_side(rng, 0.0);
    fi.zone = Zone(rng.below(3));
    fi.x = rng.uniform(0.15, 0.85);
    fi.y = rng.uniform(0.15, 0.85);
    fi.variant = int(rng.below(3));
  }
  const bool heart_failure = s.patient_type == std::string("heart failure");
  auto& effusion = s.findings[size_t(Finding::kPleuralEffusion)];
  if (heart_failure && rng.bernoulli(0.6)) effusion.side = Side::kBilateral;
  auto& edema = s.findings[size_t(Finding::kEdema)];
  edema.side = Side::kBilateral;
  auto& atelectasis = s.findings[size_t(Finding::kAtelectasis)];
  if (rng.bernoulli(0.7)) atelectasis.zone = Zone::kLower;
  if (atelectasis.zone == Zone::kUpper) atelectasis.zone = Zone::kMiddle;  // plate-like bands: mid/lower zones
  auto& pacemaker = s.findings[size_t(Finding::kPacemaker)];
  pacemaker.side = rng.bernoulli(0.85) ? Side::kLeft : Side::kRight;
  pacemaker.variant = int(rng.below(2));  // 0 single lead, 1 dual lead
  auto& fracture = s.findings[size_t(Finding::kRibFracture)];
  fracture.variant = 4 + int(rng.below(5));  // posterior ribs 4–8
  const auto& pneumothorax = s.findings[size_t(Finding::kPneumothorax)];
  if (fracture.present && pneumothorax.present) fracture.side = pneumothorax.side;  // same-side trauma
  // Cardiomegaly enlarges the heart shadow (cardiothoracic ratio 0.55 / 0.61 / 0.68).
  const auto& cardiomegaly = s.findings[size_t(Finding::kCardiomegaly)];
  if (cardiomegaly.present)
    s.anatomy.heart_width = 0.55 + 0.065 * int(cardiomegaly.severity) + rng.uniform(-0.015, 0.015);
  return s;
}

std::vector<PhantomStudy> sample_cohort(uint64_t seed, int n) {
  std::vector<PhantomStudy> out;
  out.reserve(size_t(n));
  for (int i = 0; i < n; ++i) out.push_back(sample_study(seed, i));
  return out;
}

std::array<uint8_t, kNumFindings> finding_vector(const PhantomStudy& study) {
  std::array<uint8_t, kNumFindings> v{};
  for (size_t f = 0; f < kNumFindings; ++f) v[f] = study.findings[f].present ? 1 : 0;
  return v;
}

}  // namespace saerad::demo
