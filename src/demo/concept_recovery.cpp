#include "demo/concept_recovery.hpp"

#include <cmath>

#include "core/stats.hpp"

namespace saerad::demo {

namespace {

// rows: the split's row indices → scores: [feature][position in rows] (dense per firing feature only).
struct SplitColumns {
  std::vector<std::vector<double>> scores;  // empty vector = the feature never fires in the split
  std::vector<int64_t> fires;
};

SplitColumns split_columns(const SparseActivations& acts, const std::vector<int64_t>& rows) {
  SplitColumns c;
  c.scores.resize(size_t(acts.d_sae));
  c.fires.assign(size_t(acts.d_sae), 0);
  for (size_t p = 0; p < rows.size(); ++p) {
    const auto idx = acts.row_indices(rows[p]);
    const auto val = acts.row_values(rows[p]);
    for (size_t j = 0; j < idx.size(); ++j) {
      if (val[j] <= 0) continue;
      auto& col = c.scores[size_t(idx[j])];
      if (col.empty()) col.assign(rows.size(), 0.0);
      col[p] = val[j];
      ++c.fires[size_t(idx[j])];
    }
  }
  return c;
}

std::vector<uint8_t> concept_labels(const std::vector<std::vector<uint8_t>>& labels, const std::vector<int64_t>& rows,
                                    size_t concept_index) {
  std::vector<uint8_t> y(rows.size());
  for (size_t p = 0; p < rows.size(); ++p) y[p] = labels[size_t(rows[p])][concept_index];
  return y;
}

int64_t count_positive(const std::vector<uint8_t>& y) {
  int64_t n = 0;
  for (uint8_t v : y) n += v;
  return n;
}

}  // namespace

std::vector<ConceptResult> recover_concepts(const SparseActivations& acts, const std::vector<std::vector<uint8_t>>& labels,
                                            const std::vector<std::string>& concept_names,
                                            const std::vector<int64_t>& train, const std::vector<int64_t>& test,
                                            int64_t min_fires) {
  const SplitColumns train_cols = split_columns(acts, train), test_cols = split_columns(acts, test);
  std::vector<ConceptResult> results(concept_names.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t c = 0; c < concept_names.size(); ++c) {
    ConceptResult& r = results[c];
    r.concept_name = concept_names[c];
    const std::vector<uint8_t> y_train = concept_labels(labels, train, c), y_test = concept_labels(labels, test, c);
    r.train_positives = count_positive(y_train);
    r.test_positives = count_positive(y_test);
    for (int64_t f = 0; f < acts.d_sae; ++f) {
      if (train_cols.fires[size_t(f)] < min_fires) continue;
      const double a = auroc(train_cols.scores[size_t(f)], y_train);
      if (std::isfinite(a) && (r.feature < 0 || a > r.train_auroc)) {
        r.feature = f;
        r.train_auroc = a;
      }
    }
    if (r.feature < 0) continue;
    const auto& col = test_cols.scores[size_t(r.feature)];
    const std::vector<double> zeros(test.size(), 0.0);
    r.test_auroc = auroc(col.empty() ? zeros : col, y_test);
  }
  return results;
}

Json concept_recovery_json(const std::vector<ConceptResult>& results) {
  Json j = Json::object();
  double sum = 0;
  int n = 0;
  for (const auto& r : results) {
    if (!std::isfinite(r.test_auroc)) {
      j[r.concept_name] = nullptr;
      continue;
    }
    j[r.concept_name] = r.test_auroc;
    sum += r.test_auroc;
    ++n;
  }
  j["mean"] = n ? Json(sum / n) : Json(nullptr);
  return j;
}

}  // namespace saerad::demo
