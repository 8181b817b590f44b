#include "interp/study_activations.hpp"

#include <algorithm>

#include "core/progress.hpp"
#include "interp/top_activations.hpp"
#include "sae/sae_model.hpp"

namespace saerad {

void StudyRows::add(const std::string& study, int64_t row, std::unordered_map<std::string, size_t>& position) {
  auto [p, fresh] = position.try_emplace(study, ids.size());
  if (fresh) {
    ids.push_back(study);
    rows.emplace_back();
  }
  rows[p->second].push_back(row);
}

const std::string& row_study_id(const Embeddings& emb, int64_t row) {
  if (!emb.study_ids.empty() && !emb.study_ids[size_t(row)].empty()) return emb.study_ids[size_t(row)];
  return emb.ids.at(size_t(row));
}

void encode_studies(const SaeModel& sae, const Embeddings& emb, const StudyRows& studies, int64_t batch_rows,
                    const std::string& stage, const StudyActivationsFn& on_study) {
  Progress progress(stage, int64_t(studies.ids.size()), "studies");
  const int64_t d = emb.dim();
  std::vector<float> buffer;
  std::vector<int32_t> merged_indices;
  std::vector<float> merged_values;
  size_t next = 0;
  while (next < studies.ids.size()) {
    // A batch holds whole studies.
    size_t end = next;
    int64_t rows = 0;
    while (end < studies.ids.size() && (rows == 0 || rows + int64_t(studies.rows[end].size()) <= batch_rows))
      rows += int64_t(studies.rows[end++].size());
    buffer.resize(size_t(rows * d));
    int64_t r = 0;
    for (size_t s = next; s < end; ++s)
      for (int64_t row : studies.rows[s]) std::copy_n(emb.vectors.row(row), d, buffer.data() + (r++) * d);
    SparseActivations acts;
    sae.encode(buffer.data(), rows, acts);
    r = 0;
    for (size_t s = next; s < end; ++s) {
      std::vector<std::pair<std::span<const int32_t>, std::span<const float>>> parts;
      for (size_t j = 0; j < studies.rows[s].size(); ++j, ++r) parts.emplace_back(acts.row_indices(r), acts.row_values(r));
      merge_rows_max(parts, merged_indices, merged_values);
      on_study(s, merged_indices, merged_values);
    }
    progress.advance(int64_t(end - next));
    next = end;
  }
  progress.finish();
}

}  // namespace saerad
