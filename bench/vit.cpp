// bench/vit — ViT-B/14 (Rad-DINO's shape) at 518×518 with random weights: seconds per image and achieved
// GFLOP/s beside the sgemm GFLOP/s of this machine measured in the same run, once with the environment's
// OPENBLAS_CORETYPE and once with it unset (the bench re-runs itself for the second setting).
//   bench/vit [--batch B] [--iterations N] [--threads T]
#include <cblas.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/threads.hpp"
#include "vision/dinov2_model.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<float> random_vector(saerad::Rng& rng, int64_t n, double scale, double mean = 0.0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = float(mean + scale * rng.normal());
  return v;
}

saerad::Dinov2Model random_vit_b14() {
  saerad::Dinov2Config c;  // defaults: hidden 768, 12 layers, 12 heads, MLP 3072, patch 14, 518
  saerad::Rng rng(7);
  const int64_t d = c.hidden_size, inner = c.intermediate_size, g = c.grid();
  saerad::Dinov2Weights w;
  w.patch_weight = random_vector(rng, d * 3 * 14 * 14, 0.02);
  w.patch_bias = random_vector(rng, d, 0.02);
  w.cls_token = random_vector(rng, d, 0.02);
  w.position_table = random_vector(rng, (1 + g * g) * d, 0.02);
  for (int64_t i = 0; i < c.num_layers; ++i) {
    saerad::Dinov2Weights::Layer l;
    l.norm1_weight = random_vector(rng, d, 0.1, 1.0);
    l.norm1_bias = random_vector(rng, d, 0.02);
    l.qkv_weight = random_vector(rng, 3 * d * d, 0.02);
    l.qkv_bias = random_vector(rng, 3 * d, 0.02);
    l.proj_weight = random_vector(rng, d * d, 0.02);
    l.proj_bias = random_vector(rng, d, 0.02);
    l.layer_scale1 = random_vector(rng, d, 0.1, 0.1);
    l.norm2_weight = random_vector(rng, d, 0.1, 1.0);
    l.norm2_bias = random_vector(rng, d, 0.02);
    l.fc1_weight = random_vector(rng, inner * d, 0.02);
    l.fc1_bias = random_vector(rng, inner, 0.02);
    l.fc2_weight = random_vector(rng, d * inner, 0.02);
    l.fc2_bias = random_vector(rng, d, 0.02);
    l.layer_scale2 = random_vector(rng, d, 0.1, 0.1);
    w.layers.push_back(std::move(l));
  }
  w.final_norm_weight = random_vector(rng, d, 0.1, 1.0);
  w.final_norm_bias = random_vector(rng, d, 0.02);
  return saerad::Dinov2Model(c, std::move(w));
}

// FLOPs of one image's forward pass (multiply-add = 2): patch GEMM, and per layer the QKV/proj/MLP GEMMs
// (24·T·d²) and attention (4·T²·d).
double vit_flops(const saerad::Dinov2Config& c) {
  const double d = double(c.hidden_size), patches = double(c.grid() * c.grid()), t = patches + 1;
  const double per_layer = 2 * t * d * (3 * d) + 2 * t * d * d + 2 * 2 * t * d * double(c.intermediate_size) + 4 * t * t * d;
  return 2 * patches * (3.0 * 14 * 14) * d + double(c.num_layers) * per_layer;
}

// The largest GEMM of the forward pass (fc1: [B·T, d] × [d, 3072]), best of 3.
double sgemm_gflops(int64_t m, int64_t n, int64_t k) {
  std::vector<float> a(static_cast<size_t>(m * k), 0.01f), b(static_cast<size_t>(n * k), 0.02f), c(static_cast<size_t>(m * n));
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    const auto t = Clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, a.data(), int(k), b.data(),
                int(k), 0.0f, c.data(), int(n));
    best = std::min(best, seconds_since(t));
  }
  return 2.0 * double(m) * double(n) * double(k) / best / 1e9;
}

int run_once(int batch, int iterations) {
  saerad::Dinov2Model model = random_vit_b14();
  const auto& c = model.config();
  std::vector<saerad::PixelValues> images(static_cast<size_t>(batch));
  saerad::Rng rng(11);
  for (auto& image : images) {
    image.height = image.width = int(c.image_size);
    image.data = random_vector(rng, 3 * c.image_size * c.image_size, 1.0);
  }
  const char* core = std::getenv("OPENBLAS_CORETYPE");
  const int64_t tokens = model.tokens(int(c.image_size), int(c.image_size));
  const double sgemm = sgemm_gflops(batch * tokens, c.intermediate_size, c.hidden_size);
  std::vector<float> pooler(static_cast<size_t>(batch * c.hidden_size));
  model.forward(images, pooler.data());  // warm-up (page faults, thread pools)
  double best = 1e30;
  for (int i = 0; i < iterations; ++i) {
    const auto t = Clock::now();
    model.forward(images, pooler.data());
    best = std::min(best, seconds_since(t));
  }
  const double per_image = best / batch, achieved = vit_flops(c) / per_image / 1e9;
  std::printf("OPENBLAS_CORETYPE=%-8s kernel %-10s threads %d batch %d: %.3f s/image, %.1f GFLOP/s achieved, "
              "sgemm %.1f GFLOP/s, ratio %.0f%%\n",
              core ? core : "(unset)", saerad::openblas_core_name(), saerad::thread_count(), batch, per_image, achieved,
              sgemm, 100.0 * achieved / sgemm);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  saerad::reexec_with_passive_openmp_wait(argv);
  int batch = 1, iterations = 2, threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--iterations")) iterations = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  saerad::set_thread_count(threads);
  if (std::getenv("SAERAD_BENCH_CHILD")) return run_once(batch, iterations);
  std::printf("ViT-B/14 at 518x518 (1370 tokens), %.1f GFLOP per image; best of %d runs\n",
              vit_flops(saerad::Dinov2Config{}) / 1e9, iterations);
  std::fflush(stdout);
  // OpenBLAS picks its kernels when it loads, so each setting runs in a fresh process.
  for (bool keep_coretype : {true, false}) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
      if (keep_coretype || std::strncmp(*e, "OPENBLAS_CORETYPE=", 18) != 0) env_strings.emplace_back(*e);
    env_strings.emplace_back("SAERAD_BENCH_CHILD=1");
    std::vector<char*> env;
    for (auto& s : env_strings) env.push_back(s.data());
    env.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, env.data()) != 0) {
      std::perror("posix_spawn");
      return 1;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}
