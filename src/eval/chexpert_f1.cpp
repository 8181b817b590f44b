#include "eval/chexpert_f1.hpp"

namespace saerad::eval {
namespace {

bool is_positive(const std::optional<int>& label, UncertainPolicy policy) {
  if (!label) return false;
  return *label == 1 || (*label == -1 && policy == UncertainPolicy::AsPositive);
}

double f1_of(double tp, double fp, double fn) {
  const double denominator = 2 * tp + fp + fn;
  return denominator > 0 ? 2 * tp / denominator : 0.0;
}

std::array<size_t, kCompetitionObservations.size()> competition_indices() {
  std::array<size_t, kCompetitionObservations.size()> idx{};
  for (size_t k = 0; k < idx.size(); ++k)
    for (size_t c = 0; c < kNumObservations; ++c)
      if (kObservations[c] == kCompetitionObservations[k]) idx[k] = c;
  return idx;
}

}  // namespace

std::string_view policy_name(UncertainPolicy policy) {
  return policy == UncertainPolicy::AsNegative ? "uncertain_as_negative" : "uncertain_as_positive";
}

StudyOutcome study_outcome(const ChexpertLabels& prediction, const ChexpertLabels& reference, UncertainPolicy policy) {
  StudyOutcome o;
  for (size_t c = 0; c < kNumObservations; ++c) {
    const bool p = is_positive(prediction[c], policy), r = is_positive(reference[c], policy);
    const auto bit = static_cast<uint16_t>(1u << c);
    if (p && r) o.tp |= bit;
    if (p && !r) o.fp |= bit;
    if (!p && r) o.fn |= bit;
  }
  return o;
}

ChexpertF1 chexpert_f1(std::span<const StudyOutcome> outcomes, std::span<const uint32_t> multiplicity) {
  ChexpertF1 out;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const uint64_t w = multiplicity.empty() ? 1 : multiplicity[i];
    if (w == 0) continue;
    for (size_t c = 0; c < kNumObservations; ++c) {
      const auto bit = 1u << c;
      if (outcomes[i].tp & bit) out.per_class[c].tp += w;
      if (outcomes[i].fp & bit) out.per_class[c].fp += w;
      if (outcomes[i].fn & bit) out.per_class[c].fn += w;
    }
  }
  auto summarise = [&](auto indices, double& micro, double& macro) {
    double tp = 0, fp = 0, fn = 0, f1_sum = 0;
    for (size_t c : indices) {
      const auto& s = out.per_class[c];
      tp += s.tp;
      fp += s.fp;
      fn += s.fn;
      f1_sum += s.f1;
    }
    micro = f1_of(tp, fp, fn);
    macro = f1_sum / static_cast<double>(indices.size());
  };
  for (auto& s : out.per_class) {
    s.support = s.tp + s.fn;
    s.precision = s.tp + s.fp > 0 ? static_cast<double>(s.tp) / static_cast<double>(s.tp + s.fp) : 0.0;
    s.recall = s.tp + s.fn > 0 ? static_cast<double>(s.tp) / static_cast<double>(s.tp + s.fn) : 0.0;
    s.f1 = f1_of(s.tp, s.fp, s.fn);
  }
  std::array<size_t, kNumObservations> all{};
  for (size_t c = 0; c < kNumObservations; ++c) all[c] = c;
  summarise(all, out.micro_f1_14, out.macro_f1_14);
  summarise(competition_indices(), out.micro_f1_5, out.macro_f1_5);
  return out;
}

}  // namespace saerad::eval
