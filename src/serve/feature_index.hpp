#pragma once
// The feature browser's index: one compact row per feature (id, description, scores), loaded from the
// feature store once at startup and held in memory with the three sort orders precomputed, so search,
// sort, filter and pagination over ~50k features take about a millisecond for any number of concurrent
// readers, instead of a sorted FTS query on the store's single locked connection per request.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "interp/feature_store.hpp"

namespace saerad::serve {


struct FeatureSummary {
  int64_t id = 0;
  bool interpretable = false;
  std::string description;
  std::string description_lower;  // for case-insensitive search
  double density = 0;             // firing rate
  double mean_activation = 0;
  std::optional<double> description_score;
  std::optional<double> enrichment;  // the strongest label's log odds (enrichment_max_log_odds)
  std::string enrichment_label;      // that label
};

struct FeatureListQuery {
  std::string text;                    // words that must all occur in the description (case-insensitive)
  FeatureSortKey sort = FeatureSortKey::Id;  // parse_feature_sort_key (interp/feature_store.hpp)
  bool descending = false;
  std::optional<bool> interpretable;   // filter
  int64_t page = 1;                    // 1-based
  int64_t page_size = 50;
};

inline constexpr int64_t kMaxPageSize = 500;

class FeatureIndex {
 public:
  static FeatureIndex load(const FeatureStore& store);
  explicit FeatureIndex(std::vector<FeatureSummary> rows);

  // {"total", "page", "page_size", "pages", "items": [...]}
  Json query(const FeatureListQuery& query) const;
  const FeatureSummary* find(int64_t id) const;
  size_t size() const { return rows_.size(); }
  int64_t interpretable_count() const { return interpretable_count_; }
  static Json to_json(const FeatureSummary& row);

 private:
  const std::vector<uint32_t>& order(FeatureSortKey sort, bool descending) const;
  std::vector<FeatureSummary> rows_;  // sorted by id
  // [ascending, descending] row positions per key; missing values last in both, ties in id order.
  std::array<std::vector<uint32_t>, 2> by_density_, by_mean_, by_score_, by_enrichment_;
  int64_t interpretable_count_ = 0;
};

}  // namespace saerad::serve
