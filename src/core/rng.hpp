#pragma once
// Deterministic, portable random numbers (xoshiro256**, seeded by SplitMix64). The state is four words so
// checkpoints can save and restore it exactly; results never depend on the standard library's distributions.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace saerad {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next_u64();
  uint64_t below(uint64_t n);       // uniform in [0, n), unbiased
  double uniform();                 // [0, 1) with 53 random bits
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal();                  // standard normal (Box–Muller, no cached second value)
  bool bernoulli(double p) { return uniform() < p; }
  template <class T>
  void shuffle(std::vector<T>& v) {  // Fisher–Yates
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  std::array<uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& s) { s_ = s; }
  Rng split(uint64_t stream) const;  // an independent generator derived from this one's state and `stream`

 private:
  std::array<uint64_t, 4> s_;
};

}  // namespace saerad
