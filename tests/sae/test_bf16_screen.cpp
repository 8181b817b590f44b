// The bf16 screen of the fast SAE encoder (sae/bf16_screen.hpp), on CPUs with AVX512-BF16 (skipped elsewhere:
// the fast kernels then use float32 tiles, which tests/sae/test_fast_kernels.cpp covers on every CPU):
//  - nothing is lost: every (row, latent) whose float32 u = sparse::dot(x_b, w_i) exceeds threshold_i is a
//    candidate — on random problems, on thresholds placed exactly at a u and one float32 step below it, and on
//    rows whose inputs span six orders of magnitude;
//  - candidates carry exactly that float32 u, rows ascending, latents ascending within a row;
//  - the screen screens: on random problems candidates are at most 2.5× the true passes; and it holds in the
//    worst case of bf16 rounding (every factor rounded down by 0.29%: 73% of the bound);
//  - identical output for 1 and 2 threads; padding rows never pass; too many candidates, a non-finite input or
//    a tiny non-zero row make run() return false;
//  - the top-k rules (topk, batchtopk): every latent of a row's k largest positive z = u + b (or of the batch's
//    k largest) is listed with its float32 u — also when fewer than k are positive, with ties in the bias and with
//    k = 1, and with AuxK's aux_k best among flagged (dead) latents — the list is at most 4× what is selected,
//    and the same for 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "core/rng.hpp"
#include "core/threads.hpp"
#include "sae/bf16_screen.hpp"
#include "sae/sparse_ops.hpp"

namespace saerad::sparse {
namespace {

struct ScreenProblem {
  int64_t B, d, m;
  std::vector<float> x, W, threshold;
};

// x: [B, d] standard normal, rows scaled by 10^(-3..3) when wide_range; W: [m, d] with row norms from 0.1 to 10;
// threshold_i = midway between two of column i's float32 u at the given upper quantile (that fraction of rows pass).
ScreenProblem make_screen_problem(int64_t B, int64_t d, int64_t m, double pass_fraction, uint64_t seed,
                                  bool wide_range = false) {
  ScreenProblem p{B, d, m, {}, {}, {}};
  Rng rng(seed);
  p.x.resize(size_t(B * d));
  p.W.resize(size_t(m * d));
  for (int64_t b = 0; b < B; ++b) {
    const double scale =
        wide_range ? std::pow(10.0, -3.0 + 6.0 * double(b) / double(std::max<int64_t>(1, B - 1))) : 1.0;
    for (int64_t k = 0; k < d; ++k) p.x[size_t(b * d + k)] = float(scale * rng.normal());
  }
  for (int64_t i = 0; i < m; ++i) {
    const double scale = 0.1 * std::pow(100.0, double(i % 7) / 6.0);
    for (int64_t k = 0; k < d; ++k) p.W[size_t(i * d + k)] = float(scale * rng.normal() / std::sqrt(double(d)));
  }
  p.threshold.resize(size_t(m));
  std::vector<float> column(static_cast<size_t>(B));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t b = 0; b < B; ++b) column[size_t(b)] = dot(p.x.data() + b * d, p.W.data() + i * d, d);
    std::sort(column.begin(), column.end());
    const auto q = size_t(std::clamp<int64_t>(int64_t(double(B) * (1.0 - pass_fraction)), 0, B - 2));
    p.threshold[size_t(i)] = 0.5f * (column[q] + column[q + 1]);  // between two rows' u, as a trained bias would be
  }
  return p;
}

using Pass = std::tuple<int32_t, int32_t>;

// The screen's last candidates as (row, latent) pairs, checking their layout: rows ascending from row_start,
// latents ascending within a row, u = sparse::dot exactly.
std::set<Pass> listed_pairs(const Bf16Screen& screen, const ScreenProblem& p, const std::string& label) {
  const auto& start = screen.row_start();
  const auto& cands = screen.candidates();
  EXPECT_EQ(start[0], 0) << label;
  EXPECT_EQ(start[size_t(p.B)], int64_t(cands.size())) << label;
  std::set<Pass> listed;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t e = start[size_t(b)]; e < start[size_t(b + 1)]; ++e) {
      const ScreenedPre& c = cands[size_t(e)];
      EXPECT_EQ(c.row, b) << label;
      if (e > start[size_t(b)]) {
        EXPECT_LT(cands[size_t(e - 1)].latent, c.latent) << label << " row " << b;
      }
      EXPECT_EQ(c.u, dot(p.x.data() + b * p.d, p.W.data() + int64_t(c.latent) * p.d, p.d)) << label;
      listed.insert({c.row, c.latent});
    }
  return listed;
}

// Runs the threshold screen and checks the contract in the header; returns (true passes, candidates).
std::pair<int64_t, int64_t> expect_screen_contract(Bf16Screen& screen, const ScreenProblem& p,
                                                   const std::string& label) {
  EXPECT_TRUE(screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()},
                         std::numeric_limits<int64_t>::max()))
      << label;
  const std::set<Pass> listed = listed_pairs(screen, p, label);
  int64_t passes = 0, lost = 0;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t i = 0; i < p.m; ++i)
      if (dot(p.x.data() + b * p.d, p.W.data() + i * p.d, p.d) > p.threshold[size_t(i)]) {
        ++passes;
        if (!listed.count({int32_t(b), int32_t(i)})) ++lost;
      }
  EXPECT_EQ(lost, 0) << label << ": " << lost << " of " << passes << " passing (row, latent) missing";
  return {passes, int64_t(listed.size())};
}

class Bf16ScreenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bf16_screen_supported()) GTEST_SKIP() << "this CPU has no AVX512-BF16: the fast kernels use float32 tiles";
    set_thread_count(2);
  }
};

TEST_F(Bf16ScreenTest, KeepsEveryPassingLatentAndScreensTheRest) {
  // odd d (a padded pair), m not a multiple of the 6-latent tile, B not a multiple of the 64-row panel,
  // several 192-latent blocks
  for (const auto& [B, d, m] : {std::tuple<int64_t, int64_t, int64_t>{133, 77, 500}, {256, 768, 401}, {7, 33, 13}}) {
    const ScreenProblem p = make_screen_problem(B, d, m, 0.03, uint64_t(B + d + m));
    Bf16Screen screen;
    screen.reserve(B, d, m);
    const std::string label = "B" + std::to_string(B) + " d" + std::to_string(d) + " m" + std::to_string(m);
    const auto [passes, candidates] = expect_screen_contract(screen, p, label);
    EXPECT_GT(passes, 0) << label;
    EXPECT_LE(double(candidates), 2.5 * double(passes)) << label << ": the screen lets through too much";
    std::printf("%s: %lld pass, %lld candidates\n", label.c_str(), (long long)passes, (long long)candidates);
  }
}

TEST_F(Bf16ScreenTest, ThresholdsAtTheBoundaryAndWideRangeInputs) {
  ScreenProblem p = make_screen_problem(100, 96, 60, 0.05, 21, /*wide_range=*/true);
  // latent i's threshold sits exactly at one row's u (that row must not pass) or one float32 step below it
  // (it must): the float32 comparison decides, whatever the bf16 product said
  for (int64_t i = 0; i < p.m; ++i) {
    const int64_t b = (i * 37) % p.B;
    const float u = dot(p.x.data() + b * p.d, p.W.data() + i * p.d, p.d);
    p.threshold[size_t(i)] = i % 2 == 0 ? u : std::nextafter(u, -std::numeric_limits<float>::infinity());
  }
  Bf16Screen screen;
  screen.reserve(p.B, p.d, p.m);
  const auto [passes, candidates] = expect_screen_contract(screen, p, "boundary");
  EXPECT_GT(passes, 0);
  EXPECT_LE(candidates, 3 * passes);
}

// The worst case of the bound: every component 1 + 3·2⁻¹⁰ rounds down to 1 in bf16, so the screened dot of such
// a row with such a column is 0.58% low — 73% of the margin (2⁻⁷ + …) — with the threshold one float32 step
// below the float32 u. A margin a quarter too small would lose these.
TEST_F(Bf16ScreenTest, WorstCaseRoundingStaysWithinTheBound) {
  const float a = 1.0f + 3.0f * std::ldexp(1.0f, -10);
  for (const int64_t d : {int64_t(64), int64_t(768), int64_t(1023)}) {
    ScreenProblem p{4, d, 3, {}, {}, {}};
    p.x.assign(size_t(p.B * d), a);
    p.W.assign(size_t(p.m * d), a);
    for (int64_t k = 0; k < d; ++k) p.x[size_t(d + k)] = -a;  // row 1: u = −d·a², never passes
    p.threshold.resize(size_t(p.m));
    for (int64_t i = 0; i < p.m; ++i)
      p.threshold[size_t(i)] =
          std::nextafter(dot(p.x.data(), p.W.data() + i * d, d), -std::numeric_limits<float>::infinity());
    Bf16Screen screen;
    screen.reserve(p.B, d, p.m);
    const auto [passes, candidates] = expect_screen_contract(screen, p, "worst case d" + std::to_string(d));
    EXPECT_EQ(passes, 3 * p.m) << d;  // rows 0, 2, 3 pass every latent
    EXPECT_EQ(candidates, passes) << d;
  }
}

TEST_F(Bf16ScreenTest, SameOutputForOneAndTwoThreadsAndSmallerBatches) {
  const ScreenProblem p = make_screen_problem(130, 64, 450, 0.05, 5);
  Bf16Screen screen;
  screen.reserve(200, p.d, p.m);  // workspace for more rows than used: padding rows must never pass
  set_thread_count(1);
  ASSERT_TRUE(screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()},
                         std::numeric_limits<int64_t>::max()));
  const std::vector<ScreenedPre> one = screen.candidates();
  set_thread_count(2);
  ASSERT_TRUE(screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()},
                         std::numeric_limits<int64_t>::max()));
  const std::vector<ScreenedPre>& two = screen.candidates();
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k) {
    EXPECT_EQ(one[k].row, two[k].row);
    EXPECT_EQ(one[k].latent, two[k].latent);
    EXPECT_EQ(one[k].u, two[k].u);
  }
  // every latent passes everywhere (threshold −∞): exactly B·m candidates, none from the padding rows
  const std::vector<float> open(size_t(p.m), -std::numeric_limits<float>::infinity());
  ASSERT_TRUE(screen.run(p.x.data(), 9, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = open.data()},
                         std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(int64_t(screen.candidates().size()), 9 * p.m);
  EXPECT_EQ(screen.row_start()[9], 9 * p.m);
}

TEST_F(Bf16ScreenTest, RefusesTooManyCandidatesAndNonFiniteInputs) {
  ScreenProblem p = make_screen_problem(64, 32, 120, 0.5, 8);
  Bf16Screen screen;
  screen.reserve(p.B, p.d, p.m);
  EXPECT_FALSE(
      screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()}, 10));
  EXPECT_TRUE(screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()},
                         p.B * p.m));
  p.x[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(screen.run(p.x.data(), p.B, p.W.data(),
                          {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()}, p.B * p.m));
  p.x[5] = 0.0f;
  // a row of x that is tiny but not zero: bf16 flushes denormals, so the screen refuses it; an all-zero row is fine
  const std::vector<float> saved(p.x.begin(), p.x.begin() + p.d);
  std::fill(p.x.begin(), p.x.begin() + p.d, 1e-20f);
  EXPECT_FALSE(screen.run(p.x.data(), p.B, p.W.data(),
                          {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()}, p.B * p.m));
  std::fill(p.x.begin(), p.x.begin() + p.d, 0.0f);
  EXPECT_TRUE(screen.run(p.x.data(), p.B, p.W.data(), {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()},
                         p.B * p.m));
  std::copy(saved.begin(), saved.end(), p.x.begin());
  p.W[40] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(screen.run(p.x.data(), p.B, p.W.data(),
                          {.rule = ScreenRule::Threshold, .per_latent = p.threshold.data()}, p.B * p.m));
}

// The (row, latent) pairs a top-k rule selects, judged on float32 z = dot + b: per row (RowTopK) or over the
// batch (BatchTopK); only positive z, ties to the lower index (as the fast topk selector). With aux (flags [m]),
// also each row's aux_k best among the flagged latents (AuxK).
std::set<Pass> top_k_selection(const ScreenProblem& p, const std::vector<float>& bias, ScreenRule rule, int64_t k,
                               const std::vector<uint8_t>& aux = {}, int64_t aux_k = 0) {
  struct Z {
    float z;
    int64_t flat;
  };
  std::vector<Z> all;
  std::set<Pass> chosen;
  const auto keep_best = [&](std::vector<Z>& zs, int64_t keep) {
    std::sort(zs.begin(), zs.end(),
              [](const Z& a, const Z& b) { return a.z > b.z || (a.z == b.z && a.flat < b.flat); });
    for (int64_t q = 0; q < std::min<int64_t>(keep, int64_t(zs.size())); ++q)
      chosen.insert({int32_t(zs[size_t(q)].flat / p.m), int32_t(zs[size_t(q)].flat % p.m)});
  };
  for (int64_t b = 0; b < p.B; ++b) {
    std::vector<Z> row, row_aux;
    for (int64_t i = 0; i < p.m; ++i) {
      const float z = dot(p.x.data() + b * p.d, p.W.data() + i * p.d, p.d) + bias[size_t(i)];
      if (z > 0.0f) row.push_back({z, b * p.m + i});
      if (z > 0.0f && !aux.empty() && aux[size_t(i)]) row_aux.push_back({z, b * p.m + i});
    }
    keep_best(row_aux, aux_k);
    if (rule == ScreenRule::RowTopK)
      keep_best(row, k);
    else
      all.insert(all.end(), row.begin(), row.end());
  }
  if (rule == ScreenRule::BatchTopK) keep_best(all, k);
  return chosen;
}

TEST_F(Bf16ScreenTest, TopKRulesListEveryLatentThatCanBeSelected) {
  struct Case {
    int64_t B, d, m;
    ScreenRule rule;
    int64_t k;
    double bias_shift;                 // added to every bias: very negative leaves fewer than k positive z in most rows
    int64_t aux_every = 0, aux_k = 0;  // AuxK: every aux_every-th latent is dead, aux_k of them per row
  };
  const Case cases[] = {
      {133, 77, 500, ScreenRule::RowTopK, 8, 0.0},         {70, 768, 401, ScreenRule::RowTopK, 32, 0.0},
      {40, 48, 300, ScreenRule::RowTopK, 1, 0.0},          {64, 40, 250, ScreenRule::RowTopK, 6, -12.0},
      {133, 77, 500, ScreenRule::BatchTopK, 133 * 8, 0.0}, {50, 96, 320, ScreenRule::BatchTopK, 50 * 3, -1.0},
      {90, 64, 480, ScreenRule::RowTopK, 8, 0.0, 3, 24},   {90, 64, 480, ScreenRule::BatchTopK, 90 * 4, 0.0, 7, 5},
      {30, 32, 200, ScreenRule::RowTopK, 4, -1.0, 50, 16}};  // fewer dead than aux_k: every positive one
  for (const Case& c : cases) {
    const ScreenProblem p = make_screen_problem(c.B, c.d, c.m, 0.05, uint64_t(c.B * 7 + c.m));
    std::vector<float> bias(size_t(c.m));
    Rng rng(uint64_t(c.m));
    for (int64_t i = 0; i < c.m; ++i)  // some latents share a bias exactly (ties are the selector's to break)
      bias[size_t(i)] = i % 5 == 1 ? bias[size_t(i - 1)] : float(c.bias_shift + 0.3 * rng.normal());
    std::vector<uint8_t> dead;
    if (c.aux_every > 0) {
      dead.assign(size_t(c.m), 0);
      for (int64_t i = 0; i < c.m; i += c.aux_every) dead[size_t(i)] = 1;
    }
    const std::string label =
        std::string(c.rule == ScreenRule::RowTopK ? "row" : "batch") + " top-" + std::to_string(c.k) + " B" +
        std::to_string(c.B) + " d" + std::to_string(c.d) + " m" + std::to_string(c.m) + " shift " +
        std::to_string(c.bias_shift) +
        (dead.empty() ? "" : " auxk " + std::to_string(c.aux_k) + " of every " + std::to_string(c.aux_every));
    const ScreenRequest request{.rule = c.rule,
                                .per_latent = bias.data(),
                                .k = c.k,
                                .aux_latents = dead.empty() ? nullptr : dead.data(),
                                .aux_k = c.aux_k};
    Bf16Screen screen;
    screen.reserve(c.B, c.d, c.m);
    std::vector<ScreenedPre> by_threads[2];
    for (int threads : {1, 2}) {
      set_thread_count(threads);
      ASSERT_TRUE(screen.run(p.x.data(), c.B, p.W.data(), request, std::numeric_limits<int64_t>::max())) << label;
      by_threads[threads - 1] = screen.candidates();
    }
    const std::set<Pass> listed = listed_pairs(screen, p, label);
    const std::set<Pass> chosen = top_k_selection(p, bias, c.rule, c.k, dead, c.aux_k);
    if (!dead.empty()) {  // the AuxK part must select something the main rule does not, or it is not tested
      const std::set<Pass> main_only = top_k_selection(p, bias, c.rule, c.k);
      EXPECT_GT(chosen.size(), main_only.size()) << label;
    }
    int64_t lost = 0;
    for (const Pass& pass : chosen) lost += listed.count(pass) ? 0 : 1;
    EXPECT_GT(chosen.size(), 0u) << label;
    if (c.bias_shift < -10) {
      EXPECT_LT(int64_t(chosen.size()), c.B * c.k) << label << ": meant to leave rows with fewer than k positive";
    }
    EXPECT_EQ(lost, 0) << label << ": " << lost << " of " << chosen.size() << " selected (row, latent) missing";
    EXPECT_LE(double(listed.size()), 4.0 * double(chosen.size())) << label << ": the screen lets through too much";
    ASSERT_EQ(by_threads[0].size(), by_threads[1].size()) << label;
    for (size_t q = 0; q < by_threads[0].size(); ++q) {
      EXPECT_EQ(by_threads[0][q].row, by_threads[1][q].row) << label;
      EXPECT_EQ(by_threads[0][q].latent, by_threads[1][q].latent) << label;
    }
    std::printf("%s: %zu selected, %zu listed\n", label.c_str(), chosen.size(), listed.size());
  }
}

}  // namespace
}  // namespace saerad::sparse
