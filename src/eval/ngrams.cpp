#include "eval/ngrams.hpp"

#include <algorithm>

namespace saerad::eval {
namespace {

constexpr uint64_t kEmpty = ~uint64_t{0};

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads sequential ids over the table
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

uint32_t Vocabulary::intern(std::string_view token) {
  if (auto it = ids_.find(token); it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(ids_.size());
  ids_.emplace(std::string(token), id);
  return id;
}

NgramIndex::NgramIndex() : keys_(1 << 16, kEmpty), values_(1 << 16) {}

void NgramIndex::grow() {
  std::vector<uint64_t> old_keys(keys_.size() * 2, kEmpty);
  std::vector<uint32_t> old_values(values_.size() * 2);
  old_keys.swap(keys_);
  old_values.swap(values_);
  const size_t mask = keys_.size() - 1;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == kEmpty) continue;
    size_t slot = mix(old_keys[i]) & mask;
    while (keys_[slot] != kEmpty) slot = (slot + 1) & mask;
    keys_[slot] = old_keys[i];
    values_[slot] = old_values[i];
  }
}

uint32_t NgramIndex::intern(uint64_t key, int order) {
  if ((used_ + 1) * 2 > keys_.size()) grow();
  const size_t mask = keys_.size() - 1;
  size_t slot = mix(key) & mask;
  while (keys_[slot] != kEmpty) {
    if (keys_[slot] == key) return values_[slot];
    slot = (slot + 1) & mask;
  }
  keys_[slot] = key;
  values_[slot] = next_id_;
  orders_.push_back(static_cast<uint8_t>(order));
  ++used_;
  return next_id_++;
}

NgramCounts NgramIndex::count(std::span<const uint32_t> tokens) {
  NgramCounts out;
  out.tokens = static_cast<uint32_t>(tokens.size());
  const size_t len = tokens.size();
  // prefix[i]: id of the (n-1)-gram starting at i (+1, so 0 means "no prefix" for unigrams).
  std::vector<uint64_t> prefix(len, 0);
  std::vector<uint32_t> ids;
  for (int n = 1; n <= kMaxNgram; ++n) {
    out.begin[n - 1] = static_cast<uint32_t>(out.grams.size());
    if (len < static_cast<size_t>(n)) continue;
    ids.clear();
    for (size_t i = 0; i + n <= len; ++i) {
      const uint32_t id = intern((prefix[i] << 32) | tokens[i + n - 1], n);
      ids.push_back(id);
      prefix[i] = uint64_t{id} + 1;
    }
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size();) {
      size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) ++j;
      out.grams.push_back({ids[i], static_cast<uint32_t>(j - i)});
      i = j;
    }
  }
  out.begin[kMaxNgram] = static_cast<uint32_t>(out.grams.size());
  return out;
}

}  // namespace saerad::eval
