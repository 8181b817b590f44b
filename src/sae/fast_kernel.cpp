#include "sae/fast_kernel.hpp"

#include <algorithm>
#include <limits>

namespace saerad {

void FastKernel::dense_step(const Params& params, const float* x, int64_t B, const StepContext<float>& ctx, Params& grad,
                            StepOutputs<float>& out) {
  const int64_t chunk = std::max<int64_t>(1, std::min(options_.fallback_rows, max_batch_));
  if (!reference_) reference_ = make_reference_(chunk);
  if (B <= chunk) {
    reference_->step(params, x, B, ctx, grad, out);
    return;
  }
  if (chunk_grad_.data.size() != grad.data.size()) chunk_grad_ = Params(*grad.layout);
  grad.zero();
  out.stats = StepStats{};
  out.fired.assign(size_t(m_), 0);
  out.min_active.assign(size_t(m_), std::numeric_limits<float>::infinity());
  for (int64_t c0 = 0; c0 < B; c0 += chunk) {
    const int64_t rows = std::min(chunk, B - c0);
    StepContext<float> chunk_ctx = ctx;
    if (ctx.aux_residual) chunk_ctx.aux_residual = ctx.aux_residual + c0 * d_;
    reference_->step(params, x + c0 * d_, rows, chunk_ctx, chunk_grad_, chunk_out_);
    const double weight = double(rows) / double(B);
    const auto w = float(weight);
    const auto n = int64_t(grad.data.size());
    float* g = grad.data.data();
    const float* gc = chunk_grad_.data.data();
#pragma omp parallel for simd schedule(static)
    for (int64_t k = 0; k < n; ++k) g[k] += w * gc[k];
    out.stats.loss += weight * chunk_out_.stats.loss;
    out.stats.mse += weight * chunk_out_.stats.mse;
    out.stats.sparsity += weight * chunk_out_.stats.sparsity;
    out.stats.aux += weight * chunk_out_.stats.aux;
    out.stats.l0 += weight * chunk_out_.stats.l0;
    for (int64_t i = 0; i < m_; ++i) {
      out.fired[size_t(i)] |= chunk_out_.fired[size_t(i)];
      out.min_active[size_t(i)] = std::min(out.min_active[size_t(i)], chunk_out_.min_active[size_t(i)]);
    }
  }
}

}  // namespace saerad
