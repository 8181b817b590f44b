#pragma once
// The largest element-wise |a − b| of two equally long float arrays (the error measure the vision tests state).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>

namespace saerad::testing {

inline float max_abs_diff(std::span<const float> a, std::span<const float> b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace saerad::testing
