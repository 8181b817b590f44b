#pragma once
// Token and n-gram interning for the corpus metrics: every distinct token and every distinct 1..4-gram of
// a corpus gets a dense id, so BLEU clipping and CIDEr-D's tf-idf vectors become merges of sorted
// (id, count) lists and document frequencies become array counts.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace saerad::eval {

inline constexpr int kMaxNgram = 4;

struct NgramCount {
  uint32_t id;
  uint32_t count;
};

// The n-gram multiset of one text: grams sorted by (order, id); order n (1-based) occupies
// grams[begin[n - 1], begin[n]).
struct NgramCounts {
  std::vector<NgramCount> grams;
  std::array<uint32_t, kMaxNgram + 1> begin{};
  uint32_t tokens = 0;
  std::span<const NgramCount> order(int n) const {
    return std::span<const NgramCount>(grams).subspan(begin[n - 1], begin[n] - begin[n - 1]);
  }
};

class Vocabulary {
 public:
  uint32_t intern(std::string_view token);
  size_t size() const { return ids_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;  // looked up by string_view
};

// Open-addressing map from (shorter n-gram id, next token id) to the n-gram's id.
class NgramIndex {
 public:
  NgramIndex();
  NgramCounts count(std::span<const uint32_t> tokens);  // tokens: vocabulary ids
  uint32_t size() const { return next_id_; }
  int order_of(uint32_t id) const { return orders_[id]; }

 private:
  uint32_t intern(uint64_t key, int order);
  void grow();
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;
  std::vector<uint8_t> orders_;
  uint32_t next_id_ = 0;
  size_t used_ = 0;
};

}  // namespace saerad::eval

namespace saerad::eval {

// One evaluated study: the generated report's n-grams and its reference reports' (usually one).
struct PairNgrams {
  NgramCounts hypothesis;
  std::vector<NgramCounts> references;
};

}  // namespace saerad::eval
