#pragma once
// Embedding rows grouped by study, encoded with an SAE in batches of whole studies; each study's activations
// are merged (max over its images) so that a study counts once. Shared by interpret and report.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/embeddings.hpp"

namespace saerad {

class SaeModel;

struct StudyRows {
  std::vector<std::string> ids;
  std::vector<std::vector<int64_t>> rows;  // embedding rows per study
  void add(const std::string& study, int64_t row, std::unordered_map<std::string, size_t>& position);
};

// The study id of an embeddings row: its study_id, else its id.
const std::string& row_study_id(const Embeddings& emb, int64_t row);

using StudyActivationsFn = std::function<void(size_t study, std::span<const int32_t>, std::span<const float>)>;
// Calls on_study once per study, in order, with its merged activations (indices ascending).
void encode_studies(const SaeModel& sae, const Embeddings& emb, const StudyRows& studies, int64_t batch_rows,
                    const std::string& stage, const StudyActivationsFn& on_study);

}  // namespace saerad
