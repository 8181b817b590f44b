#pragma once
// The order a findings section reads in: lines/tubes → lungs → pleura → heart/mediastinum → bones → other,
// decided from a sentence's CheXpert observations or, failing those, its words.
#include <optional>
#include <string_view>

#include "text/chexpert.hpp"

namespace saerad {

enum class Region { LinesTubes = 0, Lungs = 1, Pleura = 2, HeartMediastinum = 3, Bones = 4, Other = 5 };

std::string_view region_name(Region region);
// The region of one observation ("No Finding" → Other).
Region observation_region(size_t observation);
// The region of a sentence: its first labelled observation's (in kObservations order of regions), else
// keywords ("catheter" → lines/tubes, "spine" → bones, …), else Other.
Region sentence_region(std::string_view sentence, const ChexpertLabels& labels);

}  // namespace saerad
