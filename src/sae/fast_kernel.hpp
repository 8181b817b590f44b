#pragma once
// The sparse fast step kernels (issue 4), one per architecture family, built from sparse_ops: the encoder
// GEMM in row tiles with the architecture's selection fused into the pass over each tile, then CSR entries
// end to end. Each must agree with its architecture's dense reference kernel (tests/sae/test_fast_kernels.cpp);
// a step with too many active latents for gathers to pay runs on the reference (created on first need).
#include <functional>
#include <memory>

#include "core/error.hpp"
#include "sae/architecture.hpp"
#include "sae/gated_common.hpp"
#include "sae/sparse_ops.hpp"

namespace saerad {

// Makes the architecture's reference kernel for a maximum batch (the dense fallback, created on first need).
using ReferenceFactory = std::function<std::unique_ptr<StepKernel<float>>(int64_t max_batch)>;

class FastKernel : public StepKernel<float> {
 public:
  FastKernel(const ArchConfig& config, int64_t max_batch, const FastKernelOptions& options, ReferenceFactory make_reference)
      : config_(config), d_(config.d_in), m_(config.d_sae), max_batch_(max_batch), options_(options),
        make_reference_(std::move(make_reference)) {
    tiles_.reserve(max_batch, d_, m_, options.tile_rows, options.encoder);
    max_density_ = options.max_density > 0 ? options.max_density : tiles_.screened ? 0.05 : 0.025;
    row_partial_.resize(size_t(max_batch));
  }
  void step(const Params& params, const float* x, int64_t batch, const StepContext<float>& ctx, Params& grad,
            StepOutputs<float>& out) final {
    if (batch > max_batch_) fail("SAE fast kernel: batch of {} rows exceeds the {} its workspace was made for", batch, max_batch_);
    if (sparse_step(params, x, batch, ctx, grad, out)) return;
    ++fallbacks_;
    dense_step(params, x, batch, ctx, grad, out);
  }
  const char* kind() const override { return "fast"; }
  int64_t dense_fallbacks() const override { return fallbacks_; }
  const char* encoder_product() const override { return tiles_.last_screened ? "bf16-screened" : "float32"; }
  // The last step's encoder GEMM and selection times (bench/sae_step's breakdown).
  const sparse::EncoderTiles& encoder() const { return tiles_; }

 protected:
  // false: too dense (nothing of grad / out was written); the reference runs the step.
  virtual bool sparse_step(const Params& params, const float* x, int64_t batch, const StepContext<float>& ctx,
                           Params& grad, StepOutputs<float>& out) = 0;
  int64_t max_entries(int64_t B) const { return int64_t(max_density_ * double(B) * double(m_)); }

  ArchConfig config_;
  int64_t d_, m_, max_batch_;
  FastKernelOptions options_;
  double max_density_ = 0;  // options_.max_density, or its default for the encoder product
  sparse::EncoderTiles tiles_;
  sparse::SparseBatch batch_;
  std::vector<double> row_partial_;  // [B] per-row loss partial sums

 private:
  // The reference kernel on chunks of at most options_.fallback_rows rows (its dense [B, m] workspace is
  // what would otherwise dominate memory). Only the gated and threshold families fall back, and every loss
  // term of theirs is a mean over rows: the batch's gradient and statistics are Σ_c (B_c / B) · those of chunk c.
  void dense_step(const Params& params, const float* x, int64_t B, const StepContext<float>& ctx, Params& grad,
                  StepOutputs<float>& out);

  ReferenceFactory make_reference_;
  std::unique_ptr<StepKernel<float>> reference_;
  Params chunk_grad_;
  StepOutputs<float> chunk_out_;
  int64_t fallbacks_ = 0;
};

std::unique_ptr<StepKernel<float>> make_fast_gated_kernel(const ArchConfig& config, GatedVariant variant, int64_t max_batch,
                                                          const FastKernelOptions& options, ReferenceFactory make_reference);
std::unique_ptr<StepKernel<float>> make_fast_topk_kernel(const ArchConfig& config, bool batch_selection, int64_t max_batch,
                                                         const FastKernelOptions& options, ReferenceFactory make_reference);
std::unique_ptr<StepKernel<float>> make_fast_relu_kernel(const ArchConfig& config, int64_t max_batch,
                                                         const FastKernelOptions& options, ReferenceFactory make_reference);
std::unique_ptr<StepKernel<float>> make_fast_jumprelu_kernel(const ArchConfig& config, int64_t max_batch,
                                                             const FastKernelOptions& options, ReferenceFactory make_reference);

}  // namespace saerad
