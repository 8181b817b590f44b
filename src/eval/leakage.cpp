#include "eval/leakage.hpp"

namespace saerad::eval {
namespace {

bool same_id(const Json& example, const std::string& id) {
  if (example.is_string()) return example.get_ref<const std::string&>() == id;
  if (example.is_number_integer()) return example.dump() == id;
  return false;
}

}  // namespace

bool prediction_leaks(const Prediction& prediction, bool& saw_examples) {
  if (!prediction.provenance.is_array()) return false;
  for (const auto& sentence : prediction.provenance) {
    const auto features = sentence.find("features");
    if (!sentence.is_object() || features == sentence.end() || !features->is_array()) continue;
    for (const auto& feature : *features) {
      const auto examples = feature.find("examples");
      if (!feature.is_object() || examples == feature.end() || !examples->is_array()) continue;
      saw_examples = true;
      for (const auto& e : *examples)
        if (same_id(e, prediction.id)) return true;
    }
  }
  return false;
}

Leakage find_leakage(const std::vector<const Prediction*>& evaluated) {
  Leakage out;
  for (const Prediction* p : evaluated)
    if (prediction_leaks(*p, out.checked)) out.leaked.push_back(p->id);
  return out;
}

}  // namespace saerad::eval
