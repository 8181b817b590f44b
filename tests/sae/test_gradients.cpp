// Finite-difference gradient checks in double precision for every architecture (method.md "Testing the
// gradients"): every exact gradient against central differences at a random point (the test asserts the
// point is well away from gate / top-k / threshold boundaries), stop-gradient copies passed as constant
// inputs; jumprelu's straight-through threshold gradient against an independent evaluation of its formula.
// Tolerance: |analytic − FD| ≤ 1e-6 · max(1, |analytic|) with h = 1e-6 (double).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "sae/architecture.hpp"
#include "sae/dense_ops.hpp"

namespace saerad {
namespace {

constexpr double kStep = 1e-6;
constexpr double kTolerance = 1e-6;
constexpr int64_t kD = 6, kM = 10, kB = 5;

struct Problem {
  ArchConfig config;
  ParamLayout layout;
  BasicParams<double> params;
  std::vector<double> x, frozen_W_dec, frozen_b_dec, aux_residual;
  std::vector<uint8_t> dead;
  StepContext<double> ctx;
};

Problem make_problem(const std::string& arch_name, AuxDecoder aux = AuxDecoder::Live, double bandwidth = 0.001) {
  Problem p;
  p.config.architecture = arch_name;
  p.config.d_in = kD;
  p.config.d_sae = kM;
  p.config.k = 3;
  p.config.k_aux = 2;
  p.config.aux_decoder = aux;
  p.config.jump_bandwidth = bandwidth;
  const Architecture& arch = architecture(arch_name);
  p.layout = arch.layout(p.config);
  Params init(p.layout);
  Rng rng(11);
  arch.init(p.config, init, rng, nullptr);
  p.params = BasicParams<double>(p.layout);
  for (size_t i = 0; i < init.data.size(); ++i) p.params.data[i] = double(init.data[i]) + 0.3 * rng.normal();
  if (p.params.has("log_threshold"))  // thresholds of the order of the pre-activations
    for (double& v : p.params.span("log_threshold")) v = std::log(0.2 + 0.3 * rng.uniform());
  p.x.resize(kB * kD);
  for (double& v : p.x) v = 1.5 * rng.normal();
  p.frozen_W_dec.resize(kM * kD);
  for (double& v : p.frozen_W_dec) v = 0.5 * rng.normal();
  p.frozen_b_dec.resize(kD);
  for (double& v : p.frozen_b_dec) v = 0.2 * rng.normal();
  p.aux_residual.resize(kB * kD);
  for (double& v : p.aux_residual) v = rng.normal();
  p.dead.assign(kM, 0);
  for (int64_t i = 0; i < kM; i += 2) p.dead[size_t(i)] = 1;
  p.ctx.lambda = 0.7;
  p.ctx.dead = p.dead.data();
  p.ctx.frozen_W_dec = p.frozen_W_dec.data();
  p.ctx.frozen_b_dec = p.frozen_b_dec.data();
  p.ctx.aux_residual = p.aux_residual.data();
  return p;
}

double loss_at(StepKernel<double>& kernel, const Problem& p, const BasicParams<double>& params) {
  BasicParams<double> grad(p.layout);
  StepOutputs<double> out;
  out.resize(kM);
  kernel.step(params, p.x.data(), kB, p.ctx, grad, out);
  return out.stats.loss;
}

// Checks every trainable element except `skip` against central differences; returns the worst error.
double check_exact_gradients(const std::string& arch_name, Problem& p, const std::vector<std::string>& skip = {}) {
  const Architecture& arch = architecture(arch_name);
  auto kernel = arch.reference_kernel_f64(p.config, kB);
  BasicParams<double> grad(p.layout);
  StepOutputs<double> out;
  out.resize(kM);
  kernel->step(p.params, p.x.data(), kB, p.ctx, grad, out);
  EXPECT_TRUE(std::isfinite(out.stats.loss));
  EXPECT_GT(out.stats.l0, 0.0) << arch_name << ": no active latent, the check would be vacuous";
  const double base = out.stats.loss;
  double worst = 0;
  int64_t checked = 0;
  for (const auto& spec : p.layout.specs()) {
    if (!spec.trainable || std::find(skip.begin(), skip.end(), spec.name) != skip.end()) continue;
    for (size_t k = 0; k < spec.size; ++k) {
      BasicParams<double> plus = p.params, minus = p.params;
      plus.data[spec.offset + k] += kStep;
      minus.data[spec.offset + k] -= kStep;
      const double lp = loss_at(*kernel, p, plus), lm = loss_at(*kernel, p, minus);
      // Away from a boundary the one-sided differences agree; a crossing would make them differ wildly.
      EXPECT_NEAR((lp - base) / kStep, (base - lm) / kStep, 1e-3 * std::max(1.0, std::abs(lp - lm) / kStep))
          << arch_name << " " << spec.name << "[" << k << "] sits on a boundary";
      const double fd = (lp - lm) / (2 * kStep);
      const double analytic = grad.data[spec.offset + k];
      const double error = std::abs(analytic - fd) / std::max(1.0, std::abs(analytic));
      worst = std::max(worst, error);
      EXPECT_LE(error, kTolerance) << arch_name << " " << spec.name << "[" << k << "]: analytic " << analytic << " FD " << fd;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  std::printf("%s: %lld gradient elements, worst relative FD error %.2e\n", arch_name.c_str(), (long long)checked, worst);
  return worst;
}

TEST(Gradients, GatedHybridLive) { auto p = make_problem("gated-hybrid"); check_exact_gradients("gated-hybrid", p); }
TEST(Gradients, GatedHybridFrozen) {
  auto p = make_problem("gated-hybrid", AuxDecoder::Frozen);
  check_exact_gradients("gated-hybrid", p);
}
TEST(Gradients, GatedOriginal) { auto p = make_problem("gated"); check_exact_gradients("gated", p); }
TEST(Gradients, Relu) { auto p = make_problem("relu"); check_exact_gradients("relu", p); }
TEST(Gradients, TopkWithAuxK) { auto p = make_problem("topk"); check_exact_gradients("topk", p); }
TEST(Gradients, BatchTopkWithAuxK) { auto p = make_problem("batchtopk"); check_exact_gradients("batchtopk", p); }
TEST(Gradients, JumpReluExactTerms) {
  auto p = make_problem("jumprelu");
  check_exact_gradients("jumprelu", p, {"log_threshold"});
}

// Frozen copies really are constants: with a live auxiliary decoder the same problem gives other W_dec
// gradients (guards against a check that passes because the frozen path is never taken).
TEST(Gradients, FrozenAuxDecoderChangesTheDecoderGradient) {
  auto live = make_problem("gated-hybrid", AuxDecoder::Live), frozen = make_problem("gated-hybrid", AuxDecoder::Frozen);
  const Architecture& arch = architecture("gated-hybrid");
  BasicParams<double> g_live(live.layout), g_frozen(frozen.layout);
  StepOutputs<double> out;
  arch.reference_kernel_f64(live.config, kB)->step(live.params, live.x.data(), kB, live.ctx, g_live, out);
  arch.reference_kernel_f64(frozen.config, kB)->step(frozen.params, frozen.x.data(), kB, frozen.ctx, g_frozen, out);
  double diff = 0;
  for (size_t k = 0; k < live.layout.get("W_dec").size; ++k) diff += std::abs(g_live.span("W_dec")[k] - g_frozen.span("W_dec")[k]);
  EXPECT_GT(diff, 1e-3);
}

// ∂L/∂log θ_i = θ_i Σ_b [ ∂L/∂f_bi · (−θ_i/ε) + (λ/B) · (−1/ε) ] · K((π_bi − θ_i)/ε), K = 1[|u| < 1/2],
// evaluated here independently of the kernel.
TEST(Gradients, JumpReluStraightThroughThreshold) {
  const double eps = 0.5;  // wide enough that some pre-activations fall inside the kernel window
  auto p = make_problem("jumprelu", AuxDecoder::Live, eps);
  const Architecture& arch = architecture("jumprelu");
  BasicParams<double> grad(p.layout);
  StepOutputs<double> out;
  arch.reference_kernel_f64(p.config, kB)->step(p.params, p.x.data(), kB, p.ctx, grad, out);

  const double* W_enc = p.params.get("W_enc");
  const double* b_enc = p.params.get("b_enc");
  const double* W_dec = p.params.get("W_dec");
  const double* b_dec = p.params.get("b_dec");
  const double* log_threshold = p.params.get("log_threshold");
  std::vector<double> pi(kB * kM), xhat(kB * kD);
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t i = 0; i < kM; ++i) {
      double s = b_enc[i];
      for (int64_t j = 0; j < kD; ++j) s += (p.x[b * kD + j] - b_dec[j]) * W_enc[i * kD + j];
      pi[b * kM + i] = s;
    }
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t j = 0; j < kD; ++j) {
      double s = b_dec[j];
      for (int64_t i = 0; i < kM; ++i)
        if (pi[b * kM + i] > std::exp(log_threshold[i])) s += pi[b * kM + i] * W_dec[i * kD + j];
      xhat[b * kD + j] = s;
    }
  int64_t in_window = 0;
  for (int64_t i = 0; i < kM; ++i) {
    const double theta = std::exp(log_threshold[i]);
    double expected = 0;
    for (int64_t b = 0; b < kB; ++b) {
      const double u = (pi[b * kM + i] - theta) / eps;
      if (!(u > -0.5 && u < 0.5)) continue;
      ++in_window;
      double dl_df = 0;
      for (int64_t j = 0; j < kD; ++j) dl_df += 2.0 / kB * (xhat[b * kD + j] - p.x[b * kD + j]) * W_dec[i * kD + j];
      expected += theta * (dl_df * (-theta / eps) + p.ctx.lambda / kB * (-1.0 / eps));
    }
    EXPECT_NEAR(grad.get("log_threshold")[i], expected, 1e-10 * std::max(1.0, std::abs(expected))) << "latent " << i;
  }
  EXPECT_GT(in_window, 3) << "no pre-activation inside the kernel window: the check would be vacuous";
}

// Unit-norm architectures: after project_gradients the decoder gradient has no radial component.
TEST(Gradients, UnitNormProjectionRemovesTheRadialComponent) {
  for (const std::string name : {"gated", "topk", "batchtopk"}) {
    const Architecture& arch = architecture(name);
    ASSERT_TRUE(arch.unit_norm_decoder()) << name;
    ArchConfig c;
    c.d_in = kD;
    c.d_sae = kM;
    const ParamLayout layout = arch.layout(c);
    Params params(layout), grad(layout);
    Rng rng(3);
    arch.init(c, params, rng, nullptr);
    for (float& g : grad.data) g = float(rng.normal());
    arch.project_gradients(c, params, grad);
    for (int64_t i = 0; i < kM; ++i) {
      double dot = 0;
      for (int64_t j = 0; j < kD; ++j) dot += double(grad.get("W_dec")[i * kD + j]) * params.get("W_dec")[i * kD + j];
      EXPECT_NEAR(dot, 0.0, 1e-5) << name;
    }
  }
}

// batchtopk's threshold: the first batch sets one shared value (its smallest kept activation); later
// batches move θ_i by the EMA toward the feature's smallest kept activation; absent features keep θ_i.
TEST(Gradients, BatchTopkThresholdEma) {
  const Architecture& arch = architecture("batchtopk");
  ArchConfig c;
  c.d_in = 4;
  c.d_sae = 3;
  c.threshold_ema = 0.9;
  const ParamLayout layout = arch.layout(c);
  Params params(layout);
  Rng rng(1);
  arch.init(c, params, rng, nullptr);
  StepOutputs<float> out;
  out.resize(3);
  out.min_active = {2.0f, INFINITY, 0.5f};
  arch.after_step(c, params, out);
  EXPECT_EQ(std::vector<float>(params.span("threshold").begin(), params.span("threshold").end()),
            (std::vector<float>{0.5f, 0.5f, 0.5f}));
  out.min_active = {1.5f, INFINITY, 1.5f};
  arch.after_step(c, params, out);
  EXPECT_NEAR(params.get("threshold")[0], 0.9f * 0.5f + 0.1f * 1.5f, 1e-6f);
  EXPECT_EQ(params.get("threshold")[1], 0.5f);
}

}  // namespace
}  // namespace saerad
