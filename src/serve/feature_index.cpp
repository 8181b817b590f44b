#include "serve/feature_index.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace saerad::serve {

FeatureIndex FeatureIndex::load(const FeatureStore& store) {
  FeatureQuery all;
  all.limit = 0;
  std::vector<FeatureSummary> rows;
  for (FeatureRecord& f : store.query(all).features) {
    FeatureSummary row;
    row.id = f.id;
    row.interpretable = f.interpretable.value_or(false);
    row.description = std::move(f.description);
    row.density = f.density;
    row.mean_activation = f.mean_activation;
    row.description_score = f.description_score;
    row.enrichment = f.enrichment_max_log_odds;
    double strongest = -std::numeric_limits<double>::infinity();
    for (const LabelEnrichment& e : enrichment_from_json(f.enrichment))
      if (e.log_odds > strongest) {
        strongest = e.log_odds;
        row.enrichment_label = e.label;
      }
    rows.push_back(std::move(row));
  }
  return FeatureIndex(std::move(rows));
}

FeatureIndex::FeatureIndex(std::vector<FeatureSummary> rows) : rows_(std::move(rows)) {
  std::sort(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<uint32_t> identity(rows_.size());
  std::iota(identity.begin(), identity.end(), 0u);
  // Missing values sort after every present value in both directions; ties keep id order.
  auto sorted_by = [&](auto key, bool descending) {
    std::vector<uint32_t> order = identity;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      std::optional<double> ka = key(rows_[a]), kb = key(rows_[b]);
      if (!ka || !kb) return ka.has_value() && !kb;
      return descending ? *ka > *kb : *ka < *kb;
    });
    return order;
  };
  auto both = [&](auto key) { return std::array{sorted_by(key, false), sorted_by(key, true)}; };
  by_density_ = both([](const FeatureSummary& r) { return std::optional<double>(r.density); });
  by_mean_ = both([](const FeatureSummary& r) { return std::optional<double>(r.mean_activation); });
  by_score_ = both([](const FeatureSummary& r) { return r.description_score; });
  by_enrichment_ = both([](const FeatureSummary& r) { return r.enrichment; });
  for (auto& row : rows_) {
    row.description_lower = to_lower(row.description);
    interpretable_count_ += row.interpretable;
  }
}

const std::vector<uint32_t>& FeatureIndex::order(FeatureSortKey sort, bool descending) const {
  const size_t d = descending ? 1 : 0;
  switch (sort) {
    case FeatureSortKey::Density: return by_density_[d];
    case FeatureSortKey::MeanActivation: return by_mean_[d];
    case FeatureSortKey::DescriptionScore: return by_score_[d];
    case FeatureSortKey::Enrichment: return by_enrichment_[d];
    case FeatureSortKey::Id: break;
  }
  static const std::vector<uint32_t> none;
  return none;
}

const FeatureSummary* FeatureIndex::find(int64_t id) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), id, [](const auto& r, int64_t v) { return r.id < v; });
  return it != rows_.end() && it->id == id ? &*it : nullptr;
}

Json FeatureIndex::to_json(const FeatureSummary& row) {
  Json j = {{"id", row.id},
            {"interpretable", row.interpretable},
            {"description", row.description},
            {"density", row.density},
            {"mean_activation", row.mean_activation},
            {"description_score", row.description_score ? Json(*row.description_score) : Json()}};
  if (row.enrichment)
    j["enrichment"] = {{"label", row.enrichment_label}, {"log_odds", *row.enrichment}};
  else
    j["enrichment"] = nullptr;
  return j;
}

Json FeatureIndex::query(const FeatureListQuery& q) const {
  std::vector<std::string> words = split_whitespace(to_lower(q.text));
  std::optional<int64_t> id_query;  // "123" or "#123" also finds feature 123 by id
  if (words.size() == 1) {
    std::string_view w = words[0];
    if (!w.empty() && w[0] == '#') w.remove_prefix(1);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
    if (ec == std::errc() && end == w.data() + w.size() && !w.empty()) id_query = value;
  }
  auto matches = [&](const FeatureSummary& row) {
    if (q.interpretable && row.interpretable != *q.interpretable) return false;
    if (id_query && row.id == *id_query) return true;
    for (const auto& w : words)
      if (row.description_lower.find(w) == std::string::npos) return false;
    return true;
  };
  const int64_t page_size = std::clamp<int64_t>(q.page_size, 1, kMaxPageSize);
  const int64_t first = (std::max<int64_t>(q.page, 1) - 1) * page_size;
  const auto& ord = order(q.sort, q.descending);
  const size_t n = rows_.size();
  int64_t total = 0;
  Json items = Json::array();
  for (size_t k = 0; k < n; ++k) {
    // Id order is the rows' own order (reversed for descending); the others are precomputed.
    const FeatureSummary& row = ord.empty() ? rows_[q.descending ? n - 1 - k : k] : rows_[ord[k]];
    if (!matches(row)) continue;
    if (total >= first && total < first + page_size) items.push_back(to_json(row));
    ++total;
  }
  return {{"total", total},
          {"page", std::max<int64_t>(q.page, 1)},
          {"page_size", page_size},
          {"pages", (total + page_size - 1) / page_size},
          {"items", std::move(items)}};
}

}  // namespace saerad::serve
