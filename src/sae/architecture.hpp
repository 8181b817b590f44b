#pragma once
// One interface per SAE architecture, a registry keyed by the saerad architecture name (docs/method.md §2),
// and the step-kernel interface the trainer drives.
//
// An architecture owns the math: which tensors it has, how they start, its loss with gradients (the
// reference forward/backward, a plain dense implementation in <arch>.cpp — the oracle a fast kernel is
// checked against), its inference encoder, the constraint hooks around the optimizer step, and the mapping of
// its tensors to SAELens names for export. The trainer only sees:
//   kernel.step(params, x[B,d]) -> loss terms + gradients   (any implementation: reference or fast)
//   arch.project_gradients / clip / Adam / arch.after_step
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "core/rng.hpp"
#include "sae/params.hpp"

namespace saerad {

enum class AuxDecoder { Live, Frozen };

// Hyper-parameters that shape an architecture's math (the trainer's schedule lives in TrainOptions).
struct ArchConfig {
  std::string architecture = "gated-hybrid";
  int64_t d_in = 0;
  int64_t d_sae = 0;
  AuxDecoder aux_decoder = AuxDecoder::Live;  // gated-hybrid only (gated is always frozen)
  int64_t k = 32;                             // topk / batchtopk: active latents per sample
  int64_t k_aux = 0;                          // AuxK latents; 0 = d_in / 2
  double aux_k_coef = 1.0 / 32.0;             // AuxK coefficient
  double jump_bandwidth = 0.001;              // jumprelu rectangle-kernel bandwidth ε
  double jump_init_threshold = 0.001;         // jumprelu initial θ
  double threshold_ema = 0.99;                // batchtopk threshold EMA rate
  double decoder_init_norm = 0.1;             // norm of the initial decoder rows (unit-norm archs use 1)

  int64_t effective_k_aux() const { return k_aux > 0 ? k_aux : std::max<int64_t>(1, d_in / 2); }
};

// Loss terms of one batch (means over the batch; squared errors summed over d).
struct StepStats {
  double loss = 0;      // the optimized objective
  double mse = 0;       // mean ‖x − x̂‖² (in training units)
  double sparsity = 0;  // the penalty term as it enters the loss (λ included)
  double aux = 0;       // auxiliary term as it enters the loss
  double l0 = 0;        // mean active latents per sample
};

// Inputs of one step besides the parameters and the batch.
template <class T>
struct StepContext {
  T lambda = T(0);                    // current sparsity coefficient (after warmup)
  const uint8_t* dead = nullptr;      // [m] 1 = dead latent (AuxK); null = none dead
  // Stop-gradient copies (method.md "Testing the gradients": constants in the FD tests). Null means the
  // live tensor is used (training); its gradient through these terms is not taken either way.
  const T* frozen_W_dec = nullptr;    // [m, d] decoder inside frozen auxiliary / penalty terms
  const T* frozen_b_dec = nullptr;    // [d]
  const T* aux_residual = nullptr;    // [B, d] x − x̂ for AuxK (null: from this forward pass)
};

// Outputs of one step besides the gradients.
template <class T>
struct StepOutputs {
  StepStats stats;
  std::vector<uint8_t> fired;     // [m] 1 when the latent was active on any sample of the batch
  std::vector<T> min_active;      // [m] smallest active value per latent (+inf if none): batchtopk's EMA
  void resize(int64_t m) {
    fired.assign(size_t(m), 0);
    min_active.assign(size_t(m), T(0));
  }
};

// Computes loss terms and gradients of one batch. Implementations own their workspace (allocated once for
// a maximum batch size: no allocation per step). The reference kernel is exact and dense; a fast one must
// agree with it (issue 4).
template <class T>
class StepKernel {
 public:
  virtual ~StepKernel() = default;
  // x: [B, d] (training units, contiguous) → grad (same layout as params, overwritten), out.
  virtual void step(const BasicParams<T>& params, const T* x, int64_t batch, const StepContext<T>& ctx,
                    BasicParams<T>& grad, StepOutputs<T>& out) = 0;
  // "reference" or "fast" (tests and the bench check which one make_step_kernel chose).
  virtual const char* kind() const { return "reference"; }
  // Steps a fast kernel handed to the dense reference because too many latents were active (see
  // FastKernelOptions::max_density); always 0 for the reference kernel.
  virtual int64_t dense_fallbacks() const { return 0; }
  // How the last step computed the encoder product: "float32" or "bf16-screened" (sae/bf16_screen.hpp).
  virtual const char* encoder_product() const { return "float32"; }
};

// Which step kernel train_sae uses: auto = the fast one where the architecture has one (the environment
// variable SAERAD_SAE_KERNEL=reference|fast|auto overrides auto), else the reference.
enum class KernelChoice { Auto, Fast, Reference };
KernelChoice parse_kernel_choice(const std::string& name);  // "auto" | "fast" | "reference"; InputError otherwise

// The fast kernels' encoder product: Auto = the bf16 screen with float32 re-computation (sae/bf16_screen.hpp)
// where the CPU has AVX512-BF16, else float32 GEMM tiles (also for a step the screen refuses); the
// environment variable SAERAD_SAE_ENCODER=auto|bf16|fp32 overrides Auto. Bf16Screened on a CPU without it is an
// error.
enum class EncoderPrecision { Auto, Bf16Screened, Float32 };
EncoderPrecision parse_encoder_precision(const std::string& name);  // "auto" | "bf16" | "fp32"; InputError otherwise

// Tuning of the fast kernels (issue 4): the defaults suit training; tests pin them.
struct FastKernelOptions {
  // A step whose selected entries exceed this fraction of B·m (early training, before the sparsity penalty
  // bites) runs on the dense reference: gathers lose to the GEMMs there. 0 = by encoder product: 0.05 with the
  // bf16 screen, 0.025 with float32 tiles. Measured at ×64 (gated-hybrid): float32 tiles, B = 1024, L0 534 (1.1%)
  // 2.4× faster than the reference, break-even near L0 1400 (2.9%); the screen, B = 4096, L0 1404 (2.9%) 2.1×,
  // L0 2766 (5.6%) 1.1×. Unused by top-k selection, whose entries are bounded by B·(k + k_aux).
  double max_density = 0;
  // Rows of one encoder-GEMM tile ([tile_rows, m] floats of workspace: 192 MiB at m = 49,152). OpenBLAS packs
  // all of W_enc once per call, so small tiles cost: at ×64, B = 4096, 256-row tiles took 1.2× the time of one
  // sgemm, 1024-row tiles 1.0×.
  int64_t tile_rows = 1024;
  // A step that falls back runs the reference on chunks of this many rows (its workspace is 6 · rows · m
  // floats: 1.2 GB at ×64 instead of 4.7 GB for a 4096 batch at once).
  int64_t fallback_rows = 1024;
  EncoderPrecision encoder = EncoderPrecision::Auto;
};

// Tensors in SAELens names and shapes (W_enc [d, m], W_dec [m, d], ...), before or after folding.
struct SaelensTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};
using SaelensTensors = std::map<std::string, SaelensTensor>;

class Architecture {
 public:
  virtual ~Architecture() = default;
  virtual std::string name() const = 0;          // saerad_architecture
  virtual std::string saelens_name() const = 0;  // cfg.json "architecture"
  virtual bool unit_norm_decoder() const { return false; }

  // The tensors of this architecture (training layout, see params.hpp).
  virtual ParamLayout layout(const ArchConfig& config) const = 0;
  // Fills params: decoder rows random directions (norm config.decoder_init_norm, 1 for unit-norm archs),
  // encoder rows = decoder rows, biases 0, b_dec = b_dec_init ([d], may be null for zeros).
  virtual void init(const ArchConfig& config, Params& params, Rng& rng, const float* b_dec_init) const = 0;

  // The exact dense reference kernel (float for training, double for the gradient tests).
  virtual std::unique_ptr<StepKernel<float>> reference_kernel(const ArchConfig& config, int64_t max_batch) const = 0;
  virtual std::unique_ptr<StepKernel<double>> reference_kernel_f64(const ArchConfig& config, int64_t max_batch) const = 0;
  // The sparse fast kernel (issue 4), checked against the reference; null where the architecture has none.
  virtual std::unique_ptr<StepKernel<float>> fast_kernel(const ArchConfig& /*config*/, int64_t /*max_batch*/,
                                                         const FastKernelOptions& /*options*/) const {
    return nullptr;
  }

  // Hooks around Adam. project_gradients runs before clipping (unit-norm archs remove the radial component
  // of the decoder gradient); after_step runs after Adam (renormalise decoder rows, update buffers).
  virtual void project_gradients(const ArchConfig& config, const Params& params, Params& grad) const;
  virtual void after_step(const ArchConfig& config, Params& params, const StepOutputs<float>& out) const;

  // Inference encoder in training units: x [n, d] → f [n, m] dense (callers pass small chunks of rows).
  // Equals the training forward except where training selects per batch (batchtopk uses its threshold).
  virtual void encode(const ArchConfig& config, const Params& params, const float* x, int64_t n, float* f) const = 0;

  // SAELens-named tensors, unfolded (training units) — fold_saelens_tensors (sae_export.hpp) folds them.
  virtual SaelensTensors to_saelens(const ArchConfig& config, const Params& params) const = 0;
  // cfg.json fields particular to this architecture (k, apply_b_dec_to_input, ...).
  virtual Json saelens_config(const ArchConfig& config) const = 0;
};

// Registry keyed by saerad_architecture: an explicit table in architecture.cpp of the make_<arch>()
// factories below (static-library linking would drop self-registering objects nobody references).
const Architecture& architecture(const std::string& name);  // error lists the known names
std::vector<std::string> architecture_names();               // "gated-hybrid" first (the default)

std::unique_ptr<Architecture> make_gated_hybrid_architecture();
std::unique_ptr<Architecture> make_gated_architecture();
std::unique_ptr<Architecture> make_relu_architecture();
std::unique_ptr<Architecture> make_topk_architecture();
std::unique_ptr<Architecture> make_batchtopk_architecture();
std::unique_ptr<Architecture> make_jumprelu_architecture();

// A step kernel for training: the fast kernel where the architecture has one (auto), or as chosen.
// Fast for an architecture without one is an InputError.
std::unique_ptr<StepKernel<float>> make_step_kernel(const Architecture& arch, const ArchConfig& config, int64_t max_batch,
                                                    KernelChoice choice = KernelChoice::Auto,
                                                    const FastKernelOptions& options = {});

}  // namespace saerad
