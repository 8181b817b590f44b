// The sparse fast step kernels (issue 4) against the dense reference kernels, per architecture:
//  - one step on random problems (several shapes; batches not multiples of 8/16; several encoder tiles; rows
//    with no active latent; AuxK with dead latents; the frozen auxiliary decoder with and without explicit
//    stop-gradient copies): loss terms within 1e-5 relative, L0 / fired equal, min_active within 1e-5 relative
//    (or 1e-6 absolute), and every gradient tensor G within
//    ‖G_fast − G_ref‖₂ ≤ 1e-5 · ‖G_ref‖₂ (Euclidean norm over the whole tensor);
//  - 100 training steps with train_sae on each path: all saved weights within ‖W_fast − W_ref‖₂ ≤ 1e-5 · ‖W_ref‖₂;
//  - determinism: two fast kernels (fresh or reused workspace) give bit-identical gradients;
//  - selection: make_step_kernel picks the fast kernel by default, the reference when asked (argument,
//    SAERAD_SAE_KERNEL, TrainOptions::kernel), and a step denser than max_density runs on the reference (in
//    chunks of fallback_rows rows: same loss and gradients within the step tolerance).
// The sparse path is tested with max_density = 1 (never falling back) so that dense random problems exercise it,
// with both encoder products: float32 GEMM tiles, and (on CPUs with AVX512-BF16) the bf16 screen with float32
// re-computation (every architecture, AuxK included).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/provenance.hpp"
#include "core/threads.hpp"
#include "sae/architecture.hpp"
#include "sae/bf16_screen.hpp"
#include "sae/trainer.hpp"
#include "support/test_support.hpp"
#include "synthetic.hpp"

namespace saerad {
namespace {

constexpr double kStepTolerance = 1e-5;
constexpr double kTrainTolerance = 1e-5;  // measured: ~1e-7 on every architecture
// Smallest active values come from cancellation in the pre-activation (terms of order 0.1–1): their float
// rounding is absolute, of order 1e-8, so min_active is compared within 1e-5 relative or 1e-6 absolute.
constexpr double kActivationAbsolute = 1e-6;
const FastKernelOptions kSparseAlways{.max_density = 1.0, .tile_rows = 32};

struct Shape {
  int64_t B, d, m;
};
// Batches that are not multiples of 8/16 and span several 32-row tiles (130: five tiles, the last partial);
// each is also run with the default tile size.
const Shape kShapes[] = {{37, 24, 200}, {16, 16, 64}, {5, 40, 300}, {130, 32, 96}};

struct Problem {
  ArchConfig config;
  ParamLayout layout;
  Params params;
  std::vector<float> x, frozen_W_dec, frozen_b_dec;
  std::vector<uint8_t> dead;
  StepContext<float> ctx;
};

// Random parameters around the architecture's init; negative encoder biases so that a sample with x̃ = 0 (every
// 7th row: x = b_dec, or 0 for relu which does not subtract b_dec) activates nothing.
Problem make_problem(const std::string& arch_name, Shape s, uint64_t seed, bool with_dead = true,
                     AuxDecoder aux = AuxDecoder::Live) {
  Problem p;
  p.config.architecture = arch_name;
  p.config.d_in = s.d;
  p.config.d_sae = s.m;
  p.config.k = 3;
  p.config.k_aux = 5;
  p.config.aux_decoder = aux;
  p.config.jump_bandwidth = 0.05;  // wide enough that closed latents sit inside the straight-through window
  const Architecture& arch = architecture(arch_name);
  p.layout = arch.layout(p.config);
  p.params = Params(p.layout);
  Rng rng(seed);
  arch.init(p.config, p.params, rng, nullptr);
  const double enc_scale = arch.unit_norm_decoder() ? 1.0 : 0.1;
  for (float& v : p.params.span("W_enc")) v += float(0.5 * enc_scale / std::sqrt(double(s.d)) * rng.normal());
  for (float& v : p.params.span("b_dec")) v = float(0.1 * rng.normal());
  for (const char* bias : {"b_gate", "b_enc"})
    if (p.params.has(bias))
      for (float& v : p.params.span(bias)) v = float(-enc_scale * (0.3 + 2.0 * rng.uniform()));
  for (const char* name : {"b_mag", "r_mag"})
    if (p.params.has(name))
      for (float& v : p.params.span(name)) v = float(0.1 * rng.normal());
  if (p.params.has("log_threshold"))
    for (float& v : p.params.span("log_threshold")) v = float(std::log(0.02 + 0.1 * rng.uniform()));
  p.x.resize(size_t(s.B * s.d));
  for (float& v : p.x) v = float(rng.normal());
  const bool subtracts_b_dec = arch_name != "relu";
  for (int64_t b = 0; b < s.B; b += 7)
    for (int64_t j = 0; j < s.d; ++j) p.x[size_t(b * s.d + j)] = subtracts_b_dec ? p.params.get("b_dec")[j] : 0.0f;
  p.dead.assign(size_t(s.m), 0);
  for (int64_t i = 0; i < s.m; i += 3) p.dead[size_t(i)] = 1;
  p.ctx.lambda = 0.7f;
  p.ctx.dead = with_dead ? p.dead.data() : nullptr;
  return p;
}

void with_frozen_copies(Problem& p, uint64_t seed) {
  Rng rng(seed);
  p.frozen_W_dec.resize(size_t(p.config.d_sae * p.config.d_in));
  for (float& v : p.frozen_W_dec) v = float(0.1 / std::sqrt(double(p.config.d_in)) * rng.normal());
  p.frozen_b_dec.resize(size_t(p.config.d_in));
  for (float& v : p.frozen_b_dec) v = float(0.1 * rng.normal());
  p.ctx.frozen_W_dec = p.frozen_W_dec.data();
  p.ctx.frozen_b_dec = p.frozen_b_dec.data();
}

struct StepResult {
  Params grad;
  StepOutputs<float> out;
};

StepResult run_step(StepKernel<float>& kernel, const Problem& p, int64_t B) {
  StepResult r{Params(p.layout), {}};
  std::fill(r.grad.data.begin(), r.grad.data.end(), std::nanf(""));  // every gradient must be written
  r.out.resize(p.config.d_sae);
  kernel.step(p.params, p.x.data(), B, p.ctx, r.grad, r.out);
  return r;
}

double relative_difference(std::span<const float> a, std::span<const float> ref) {
  double diff = 0, norm = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    diff += (double(a[k]) - ref[k]) * (double(a[k]) - ref[k]);
    norm += double(ref[k]) * ref[k];
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

void expect_same_min_active(const std::vector<float>& a, const std::vector<float>& ref, const std::string& label) {
  ASSERT_EQ(a.size(), ref.size()) << label;
  for (size_t i = 0; i < ref.size(); ++i)
    if (std::isfinite(ref[i]))
      EXPECT_NEAR(a[i], ref[i], std::max(1e-5 * std::abs(ref[i]), kActivationAbsolute)) << label << " latent " << i;
    else
      EXPECT_FALSE(std::isfinite(a[i])) << label << " latent " << i;
}

// One step on both paths; asserts the agreement in the header. Returns the batch's L0.
double expect_same_step(const Problem& p, int64_t B, const std::string& label, const FastKernelOptions& options = kSparseAlways) {
  const Architecture& arch = architecture(p.config.architecture);
  auto fast = make_step_kernel(arch, p.config, B, KernelChoice::Fast, options);
  auto ref = make_step_kernel(arch, p.config, B, KernelChoice::Reference);
  EXPECT_STREQ(fast->kind(), "fast") << label;
  EXPECT_STREQ(ref->kind(), "reference") << label;
  const StepResult f = run_step(*fast, p, B), r = run_step(*ref, p, B);
  EXPECT_EQ(fast->dense_fallbacks(), 0) << label;
  const bool screening = options.encoder == EncoderPrecision::Bf16Screened ||
                         (options.encoder == EncoderPrecision::Auto && sparse::bf16_screen_supported());
  EXPECT_STREQ(fast->encoder_product(), screening ? "bf16-screened" : "float32") << label;
  const auto near = [&](double a, double b, const char* what) {
    EXPECT_LE(std::abs(a - b), kStepTolerance * std::max(std::abs(b), 1e-12)) << label << " " << what << ": fast " << a << " reference " << b;
  };
  near(f.out.stats.loss, r.out.stats.loss, "loss");
  near(f.out.stats.mse, r.out.stats.mse, "mse");
  near(f.out.stats.sparsity, r.out.stats.sparsity, "sparsity");
  near(f.out.stats.aux, r.out.stats.aux, "aux");
  EXPECT_EQ(f.out.stats.l0, r.out.stats.l0) << label;
  EXPECT_EQ(f.out.fired, r.out.fired) << label;
  expect_same_min_active(f.out.min_active, r.out.min_active, label);
  for (const auto& spec : p.layout.specs()) {
    const double rel = relative_difference(f.grad.span(spec.name), r.grad.span(spec.name));
    EXPECT_LE(rel, kStepTolerance) << label << " gradient " << spec.name;
  }
  return r.out.stats.l0;
}

// The encoder products this CPU runs: float32 tiles everywhere, the bf16 screen where AVX512-BF16 is present.
std::vector<EncoderPrecision> encoder_products() {
  std::vector<EncoderPrecision> products{EncoderPrecision::Float32};
  if (sparse::bf16_screen_supported()) products.push_back(EncoderPrecision::Bf16Screened);
  return products;
}

void check_architecture(const std::string& arch_name) {
  set_thread_count(2);
  for (const EncoderPrecision encoder : encoder_products())
    for (const Shape& s : kShapes)
      for (bool dead : {true, false}) {
        if (!dead && arch_name != "topk" && arch_name != "batchtopk") continue;  // only AuxK reads dead latents
        const Problem p = make_problem(arch_name, s, uint64_t(s.B * 1000 + s.m), dead);
        const std::string label = arch_name + " B" + std::to_string(s.B) + " d" + std::to_string(s.d) + " m" +
                                  std::to_string(s.m) + (dead ? " dead" : "") +
                                  (encoder == EncoderPrecision::Float32 ? " fp32" : " bf16");
        FastKernelOptions options = kSparseAlways;
        options.encoder = encoder;
        const double l0 = expect_same_step(p, s.B, label, options);
        EXPECT_GT(l0, 0.0) << label << ": nothing active, the check would be vacuous";
        EXPECT_LT(l0, double(s.m) * 0.9) << label;
        // the default tiles (the whole batch in one; batchtopk still prunes every 64 rows)
        expect_same_step(p, s.B, label + " default tiles", FastKernelOptions{.max_density = 1.0, .encoder = encoder});
      }
}

TEST(FastKernels, GatedHybridMatchesReference) { check_architecture("gated-hybrid"); }
TEST(FastKernels, GatedOriginalMatchesReference) { check_architecture("gated"); }
TEST(FastKernels, ReluMatchesReference) { check_architecture("relu"); }
TEST(FastKernels, JumpReluMatchesReference) { check_architecture("jumprelu"); }
TEST(FastKernels, TopkMatchesReference) { check_architecture("topk"); }
TEST(FastKernels, BatchTopkMatchesReference) { check_architecture("batchtopk"); }

TEST(FastKernels, GatedHybridFrozenAuxDecoderMatchesReference) {
  for (const Shape& s : kShapes) {
    Problem p = make_problem("gated-hybrid", s, 5, true, AuxDecoder::Frozen);
    expect_same_step(p, s.B, "frozen, live copies");
    with_frozen_copies(p, 6);
    expect_same_step(p, s.B, "frozen, explicit copies");
  }
}

// Rows with no active latent exist in the problems (x̃ = 0 with negative biases): assert it, so that the
// equivalence tests above cover them.
TEST(FastKernels, ProblemsHaveSilentRows) {
  const Problem p = make_problem("gated-hybrid", kShapes[0], 1);
  const Architecture& arch = architecture("gated-hybrid");
  std::vector<float> f(size_t(kShapes[0].m));
  arch.encode(p.config, p.params, p.x.data(), 1, f.data());  // row 0: x = b_dec
  for (float v : f) EXPECT_EQ(v, 0.0f);
}

TEST(FastKernels, DeterministicAndWorkspaceReuse) {
  set_thread_count(2);
  for (const std::string arch_name : {"gated-hybrid", "topk", "batchtopk", "jumprelu"}) {
    const Shape s = kShapes[3];
    const Problem p = make_problem(arch_name, s, 9);
    const Architecture& arch = architecture(arch_name);
    auto a = make_step_kernel(arch, p.config, s.B, KernelChoice::Fast, kSparseAlways);
    auto b = make_step_kernel(arch, p.config, s.B, KernelChoice::Fast, kSparseAlways);
    const StepResult first = run_step(*a, p, s.B);
    run_step(*a, p, 17);  // a smaller batch in between: the workspace must not leak into the next step
    const StepResult again = run_step(*a, p, s.B), fresh = run_step(*b, p, s.B);
    EXPECT_EQ(first.grad.data, again.grad.data) << arch_name;
    EXPECT_EQ(first.grad.data, fresh.grad.data) << arch_name;
    EXPECT_EQ(first.out.stats.loss, fresh.out.stats.loss) << arch_name;
    // and a smaller batch on a kernel sized for a larger one agrees with the reference
    expect_same_step(p, 17, arch_name + " B17 on a kernel for 130");
  }
}

TEST(FastKernels, TooDenseStepsRunOnTheReference) {
  const Problem p = make_problem("gated-hybrid", kShapes[0], 3);
  const Architecture& arch = architecture("gated-hybrid");
  auto fast = make_step_kernel(arch, p.config, kShapes[0].B, KernelChoice::Fast, FastKernelOptions{.max_density = 1e-4});
  auto ref = make_step_kernel(arch, p.config, kShapes[0].B, KernelChoice::Reference);
  const StepResult f = run_step(*fast, p, kShapes[0].B), r = run_step(*ref, p, kShapes[0].B);
  EXPECT_EQ(fast->dense_fallbacks(), 1);
  EXPECT_STREQ(fast->encoder_product(), "float32");  // the screen refused (too many candidates), then the tiles
  EXPECT_EQ(f.grad.data, r.grad.data);

  // in chunks of rows (the fallback's workspace bound): Σ_c (B_c / B) · chunk c, the same math
  for (const std::string arch_name : {"gated-hybrid", "relu", "jumprelu"}) {
    const Problem q = make_problem(arch_name, kShapes[3], 4);
    const int64_t B = kShapes[3].B;
    auto chunked = make_step_kernel(architecture(arch_name), q.config, B, KernelChoice::Fast,
                                    FastKernelOptions{.max_density = 1e-4, .fallback_rows = 48});
    auto dense = make_step_kernel(architecture(arch_name), q.config, B, KernelChoice::Reference);
    const StepResult c = run_step(*chunked, q, B), d = run_step(*dense, q, B);
    EXPECT_EQ(chunked->dense_fallbacks(), 1) << arch_name;
    EXPECT_NEAR(c.out.stats.loss, d.out.stats.loss, kStepTolerance * std::abs(d.out.stats.loss)) << arch_name;
    EXPECT_NEAR(c.out.stats.l0, d.out.stats.l0, 1e-9 * d.out.stats.l0) << arch_name;
    EXPECT_EQ(c.out.fired, d.out.fired) << arch_name;
    expect_same_min_active(c.out.min_active, d.out.min_active, arch_name + " chunked");
    for (const auto& spec : q.layout.specs())
      EXPECT_LE(relative_difference(c.grad.span(spec.name), d.grad.span(spec.name)), kStepTolerance) << arch_name << " " << spec.name;
  }
}

// The default density limit follows the encoder product (the bf16 screen's break-even is higher): a step with
// 3–4.5% of its latents active runs sparse with the screen and on the reference with float32 tiles.
TEST(FastKernels, DefaultDensityLimitFollowsTheEncoderProduct) {
  set_thread_count(2);
  const Shape s{64, 32, 400};
  Problem p = make_problem("gated-hybrid", s, 12, false);
  const Architecture& arch = architecture("gated-hybrid");
  auto ref = make_step_kernel(arch, p.config, s.B, KernelChoice::Reference);
  double density = 1;
  for (float shift = 0; density > 0.045 && shift < 20; shift += 0.02f) {  // raise every gate threshold until 3–4.5% open
    for (float& b : p.params.span("b_gate")) b -= 0.02f;
    density = run_step(*ref, p, s.B).out.stats.l0 / double(s.m);
  }
  ASSERT_GT(density, 0.03);
  ASSERT_LT(density, 0.045);
  for (const EncoderPrecision encoder : encoder_products()) {
    auto fast = make_step_kernel(arch, p.config, s.B, KernelChoice::Fast, FastKernelOptions{.encoder = encoder});
    run_step(*fast, p, s.B);
    EXPECT_EQ(fast->dense_fallbacks(), encoder == EncoderPrecision::Float32 ? 1 : 0) << "density " << density;
  }
}

TEST(FastKernels, SelectionOfTheKernel) {
  ArchConfig c;
  c.d_in = 8;
  c.d_sae = 16;
  for (const std::string& name : architecture_names()) {
    c.architecture = name;
    EXPECT_STREQ(make_step_kernel(architecture(name), c, 4)->kind(), "fast") << name;
    EXPECT_STREQ(make_step_kernel(architecture(name), c, 4, KernelChoice::Reference)->kind(), "reference") << name;
  }
  c.architecture = "gated-hybrid";
  setenv("SAERAD_SAE_KERNEL", "reference", 1);
  EXPECT_STREQ(make_step_kernel(architecture("gated-hybrid"), c, 4)->kind(), "reference");
  EXPECT_STREQ(make_step_kernel(architecture("gated-hybrid"), c, 4, KernelChoice::Fast)->kind(), "fast");
  setenv("SAERAD_SAE_KERNEL", "bogus", 1);
  EXPECT_THROW(make_step_kernel(architecture("gated-hybrid"), c, 4), InputError);
  unsetenv("SAERAD_SAE_KERNEL");
  EXPECT_EQ(parse_kernel_choice("auto"), KernelChoice::Auto);
  EXPECT_THROW(parse_kernel_choice("sparse"), InputError);
  // the encoder product: SAERAD_SAE_ENCODER overrides auto, not an explicit choice
  EXPECT_EQ(parse_encoder_precision("bf16"), EncoderPrecision::Bf16Screened);
  EXPECT_EQ(parse_encoder_precision("fp32"), EncoderPrecision::Float32);
  EXPECT_THROW(parse_encoder_precision("int8"), InputError);
  const Problem p = make_problem("gated-hybrid", kShapes[1], 2);
  const auto product = [&](const FastKernelOptions& options) {
    auto kernel = make_step_kernel(architecture("gated-hybrid"), p.config, kShapes[1].B, KernelChoice::Fast, options);
    run_step(*kernel, p, kShapes[1].B);
    return std::string(kernel->encoder_product());
  };
  setenv("SAERAD_SAE_ENCODER", "fp32", 1);
  EXPECT_EQ(product(kSparseAlways), "float32");
  if (sparse::bf16_screen_supported()) {
    EXPECT_EQ(product(FastKernelOptions{.max_density = 1.0, .encoder = EncoderPrecision::Bf16Screened}), "bf16-screened");
    unsetenv("SAERAD_SAE_ENCODER");
    EXPECT_EQ(product(kSparseAlways), "bf16-screened");
  } else {
    EXPECT_THROW(product(FastKernelOptions{.encoder = EncoderPrecision::Bf16Screened}), InputError);
  }
  setenv("SAERAD_SAE_ENCODER", "bogus", 1);
  EXPECT_THROW(product(kSparseAlways), InputError);
  unsetenv("SAERAD_SAE_ENCODER");
}

// 100 steps of train_sae on each path (the trainer's λ warmup, clipping, Adam, constraint hooks, dead-latent
// AuxK) end at the same weights within kTrainTolerance (relative Euclidean norm per saved tensor).
TEST(FastKernels, HundredTrainingStepsAgree) {
  set_thread_count(2);
  testing::TempDir tmp;
  const auto data = testing::make_synthetic(600, 16, 24, 3, 0.01, 11);
  for (const std::string& arch_name : architecture_names()) {
    std::vector<std::vector<float>> weights;  // fast (float32 encoder), fast (auto: the bf16 screen where available), reference
    for (const std::string run : {"fast-fp32", "fast-auto", "reference"}) {
      TrainOptions o;
      o.out_dir = tmp / (arch_name + "-" + run);
      o.architecture = arch_name;
      o.kernel = run == "reference" ? "reference" : "fast";
      o.encoder = run == "fast-fp32" ? "fp32" : "auto";
      o.fast_max_density = 1.0;  // the sparse path on every step, even the dense first ones
      o.latents = 48;
      o.batch = 100;
      o.steps = 100;
      o.lr = 1e-3;
      o.l1 = 0.5;
      o.k = 4;
      o.k_aux = 6;
      o.dead_window = 300;  // latents go dead within the run: AuxK is exercised
      o.jump_bandwidth = 0.05;
      o.jump_init_threshold = 0.1;
      o.checkpoint_every = 0;
      o.plots = false;
      o.seed = 4;
      train_sae(data.embeddings, o);
      weights.push_back(testing::all_sae_weights(o.out_dir));
      const Json metrics = read_json_file(o.out_dir / "metrics.json");
      EXPECT_EQ(metrics.at("step_kernel").get<std::string>(), o.kernel) << arch_name << " " << run;
      if (run == "fast-fp32") {
        EXPECT_EQ(metrics.at("encoder_product").get<std::string>(), "float32") << arch_name;
      }
    }
    for (size_t k = 0; k < 2; ++k) {
      ASSERT_EQ(weights[k].size(), weights[2].size());
      const double rel = relative_difference(weights[k], weights[2]);
      std::printf("%-12s 100 steps, %s encoder: ‖W_fast − W_ref‖ / ‖W_ref‖ = %.2e\n", arch_name.c_str(),
                  k == 0 ? "float32" : "auto", rel);
      EXPECT_LE(rel, kTrainTolerance) << arch_name << (k == 0 ? " fp32" : " auto");
    }
  }
}

TEST(FastKernels, TrainRejectsAnUnknownKernel) {
  testing::TempDir tmp;
  const auto data = testing::make_synthetic(50, 8, 8, 2, 0.01, 1);
  TrainOptions o;
  o.out_dir = tmp / "sae";
  o.latents = 8;
  o.steps = 2;
  o.kernel = "turbo";
  EXPECT_THROW(train_sae(data.embeddings, o), InputError);
}

// saerad train --kernel: reference and fast both train; an unknown name is a usage error (exit 2) naming it.
TEST(FastKernels, CliKernelFlag) {
  testing::TempDir tmp;
  const auto data = testing::make_synthetic(200, 12, 16, 3, 0.01, 2);
  write_embeddings(tmp / "emb.safetensors", data.embeddings, Provenance{});
  const auto args = [&](const std::string& kernel, const std::string& out) {
    return std::vector<std::string>{"--threads", "1", "--quiet", "train", "--embeddings", (tmp / "emb.safetensors").string(),
                                    "--out", (tmp / out).string(), "--latents", "64", "--batch", "32", "--steps", "20",
                                    "--kernel", kernel, "--no-plots"};
  };
  for (const std::string kernel : {"reference", "fast", "auto"}) {
    const auto r = testing::run_saerad(args(kernel, kernel));
    EXPECT_EQ(r.exit_code, 0) << kernel << ": " << r.err;
  }
  const auto bad = testing::run_saerad(args("turbo", "bad"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("turbo"), std::string::npos) << bad.err;
  // --encoder: fp32 is recorded in metrics.json; an unknown precision is a usage error naming it
  auto with_encoder = args("fast", "fp32");
  with_encoder.insert(with_encoder.end(), {"--encoder", "fp32"});
  const auto fp32 = testing::run_saerad(with_encoder);
  ASSERT_EQ(fp32.exit_code, 0) << fp32.err;
  EXPECT_EQ(read_json_file(tmp / "fp32" / "metrics.json").at("encoder_product").get<std::string>(), "float32");
  auto bogus = args("fast", "bogus");
  bogus.insert(bogus.end(), {"--encoder", "int8"});
  const auto refused = testing::run_saerad(bogus);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("int8"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace saerad
