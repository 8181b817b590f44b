#include "report/anatomy_order.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/strings.hpp"

namespace saerad {

std::string_view region_name(Region region) {
  switch (region) {
    case Region::LinesTubes: return "lines/tubes";
    case Region::Lungs: return "lungs";
    case Region::Pleura: return "pleura";
    case Region::HeartMediastinum: return "heart/mediastinum";
    case Region::Bones: return "bones";
    case Region::Other: return "other";
  }
  return "other";
}

Region observation_region(size_t observation) {
  const std::string_view name = kObservations.at(observation);
  if (name == "Support Devices") return Region::LinesTubes;
  if (name == "Lung Opacity" || name == "Lung Lesion" || name == "Edema" || name == "Consolidation" ||
      name == "Pneumonia" || name == "Atelectasis")
    return Region::Lungs;
  if (name == "Pneumothorax" || name == "Pleural Effusion" || name == "Pleural Other") return Region::Pleura;
  if (name == "Cardiomegaly" || name == "Enlarged Cardiomediastinum") return Region::HeartMediastinum;
  if (name == "Fracture") return Region::Bones;
  return Region::Other;
}

Region sentence_region(std::string_view sentence, const ChexpertLabels& labels) {
  Region best = Region::Other;
  for (size_t o = 0; o < kNumObservations; ++o)
    if (labels[o]) best = std::min(best, observation_region(o));
  if (best != Region::Other) return best;
  // Keywords, checked region by region in the report's order, so "pacemaker leads over the heart" is a line.
  static const std::array<std::pair<Region, std::array<std::string_view, 12>>, 5> keywords = {{
      {Region::LinesTubes, {"catheter", "tube", "line", "pacemaker", "wire", "device", "clip", "stent", "port",
                            "lead", "sternotomy", "hardware"}},
      {Region::Lungs, {"lung", "pulmonary", "opacit", "granuloma", "nodule", "airspace", "interstitial", "emphysema",
                       "hyperinflat", "scar", "infiltrate", "lobe"}},
      {Region::Pleura, {"pleura", "costophrenic", "effusion", "pneumothorax", "diaphragm", "hemidiaphragm", "", "", "",
                        "", "", ""}},
      {Region::HeartMediastinum, {"heart", "cardi", "mediastin", "aort", "hilar", "hila", "trachea", "vascular", "",
                                  "", "", ""}},
      {Region::Bones, {"spine", "vertebra", "rib", "osseous", "bone", "degenerative", "fracture", "scoliosis",
                       "clavicle", "shoulder", "spondyl", "kyphosis"}},
  }};
  const std::string lower = to_lower(sentence);
  for (const auto& [region, words] : keywords)
    for (auto w : words)
      if (!w.empty() && lower.find(w) != std::string::npos) return region;
  return Region::Other;
}

}  // namespace saerad
