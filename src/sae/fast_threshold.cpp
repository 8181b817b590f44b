// The fast step kernels of the threshold architectures: relu (f = ReLU(z), z = W_enc x + b_enc) and jumprelu
// (f = π ⊙ H(π − θ), π = W_enc(x − b_dec) + b_enc) — the math of relu.cpp / jumprelu.cpp over the entries
//   relu:     z > 0                                   value = z, pre = z
//   jumprelu: π > θ (open) or |π − θ| < ε/2 (the straight-through window, open or not)
//             value = π if open else 0, pre = π
#include <cmath>

#include "sae/fast_kernel.hpp"

namespace saerad {

namespace {

class ThresholdSelector final : public sparse::ElementwiseSelector<ThresholdSelector> {
 public:
  const float* b_enc = nullptr;
  const float* theta = nullptr;  // null: relu (threshold 0, no window)
  float bandwidth = 0;
  int64_t m = 0;
  void consider(int64_t i, float u, std::vector<sparse::Entry>& out) const {
    if (!theta) {
      const float z = u + b_enc[i];
      if (z > 0.0f) out.push_back({int32_t(i), z, 0.0f, z});
      return;
    }
    const float pi = u + b_enc[i];
    const bool open = pi > theta[i];
    const float w = (pi - theta[i]) / bandwidth;  // as the reference evaluates the kernel window
    if (open || (w > -0.5f && w < 0.5f)) out.push_back({int32_t(i), open ? pi : 0.0f, 0.0f, pi});
  }
  // relu: u > −b_enc exactly. jumprelu: an entry needs π > θ − ε/2 (the window's lower edge, below θ itself);
  // the float32 rounding of π and of the window test is covered by a relative 2⁻²⁰ of the terms' size.
  sparse::ScreenRequest screen_request(float* threshold) const override {
    for (int64_t i = 0; i < m; ++i) {
      if (!theta) {
        threshold[i] = -b_enc[i];
        continue;
      }
      const double edge = double(theta[i]) - 0.5 * double(bandwidth) - double(b_enc[i]);
      const double slack = std::ldexp(std::fabs(double(theta[i])) + double(bandwidth) + std::fabs(double(b_enc[i])), -20);
      threshold[i] = float(edge - slack);
    }
    return {.rule = sparse::ScreenRule::Threshold, .per_latent = threshold};
  }
};

class FastThresholdKernel final : public FastKernel {
 public:
  FastThresholdKernel(const ArchConfig& config, bool jump, int64_t max_batch, const FastKernelOptions& options,
                      ReferenceFactory make_reference)
      : FastKernel(config, max_batch, options, std::move(make_reference)), jump_(jump) {
    for (auto* v : {&xt_, &xhat_, &dxhat_, &dxt_}) v->resize(size_t(max_batch * d_));
    for (auto* v : {&norms_, &theta_, &decoder_scale_}) v->resize(size_t(m_));
  }

 protected:
  bool sparse_step(const Params& p, const float* x, int64_t B, const StepContext<float>& ctx, Params& grad,
                   StepOutputs<float>& out) override {
    const int64_t d = d_, m = m_;
    const float* W_enc = p.get("W_enc");
    const float* W_dec = p.get("W_dec");
    const float* b_dec = p.get("b_dec");
    const float lambda = ctx.lambda;
    const float inv_B = 1.0f / float(B);
    const float bandwidth = float(config_.jump_bandwidth);

    // ---- forward ----
    ThresholdSelector selector;
    selector.b_enc = p.get("b_enc");
    selector.m = m;
    const float* x_in = x;  // relu encodes x itself; jumprelu x − b_dec
    if (jump_) {
      const float* log_threshold = p.get("log_threshold");
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < m; ++i) theta_[size_t(i)] = std::exp(log_threshold[i]);
      selector.theta = theta_.data();
      selector.bandwidth = bandwidth;
      sparse::subtract_bias(x, B, d, b_dec, xt_.data());
      x_in = xt_.data();
    }
    if (!sparse::encode_and_select(x_in, B, d, W_enc, m, tiles_, selector, max_entries(B), batch_)) return false;
    sparse::pack_rows(batch_);
    const int64_t nnz = batch_.nnz();
    const sparse::Entry* entries = batch_.entries.data();
    sparse::decode(batch_, sparse::Activation::Value, W_dec, d, b_dec, xhat_.data());  // x̂: [B, d]
    const double recon = sparse::squared_error(xhat_.data(), x, B, d, 2.0f * inv_B, dxhat_.data(), row_partial_);
    double penalty = 0;  // relu: Σ f_i ‖d_i‖; jumprelu: the count of open gates
    if (!jump_) sparse::row_norms(W_dec, m, d, norms_.data());
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; ++b) {
      double s = 0;
      for (int64_t e = batch_.row_start[size_t(b)]; e < batch_.row_start[size_t(b + 1)]; ++e)
        s += jump_ ? double(entries[e].value != 0.0f) : double(entries[e].value) * double(norms_[size_t(entries[e].latent)]);
      row_partial_[size_t(b)] = s;
    }
    for (int64_t b = 0; b < B; ++b) penalty += row_partial_[size_t(b)];
    out.stats.mse = recon / double(B);
    out.stats.sparsity = double(lambda) * penalty / double(B);
    out.stats.aux = 0;
    out.stats.loss = out.stats.mse + out.stats.sparsity;

    // ---- backward ----
    // jumprelu needs ∂L/∂f inside the window even where the gate is closed
    sparse::decoder_dots(batch_, sparse::Activation::Value, dxhat_.data(), W_dec, d, /*all_entries=*/jump_);
#pragma omp parallel for schedule(static)
    for (int64_t e = 0; e < nnz; ++e) {
      const float df = batch_.g_value[size_t(e)];
      if (jump_)
        batch_.d_pre[size_t(e)] = entries[e].value != 0.0f ? df : 0.0f;  // ∂f/∂π = H(π − θ)
      else
        batch_.d_pre[size_t(e)] = df + lambda * norms_[size_t(entries[e].latent)] * inv_B;
    }
    sparse::build_transpose(batch_, m);
    out.stats.l0 = sparse::summarize(batch_, m, out);
    float* g_b_enc = grad.get("b_enc");
    float* g_log_threshold = jump_ ? grad.get("log_threshold") : nullptr;
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < m; ++i) {  // per-latent sums over its rows in row order (as the reference)
      float s_enc = 0, s_theta = 0, sum_f = 0;
      for (int64_t q = batch_.latent_start[size_t(i)]; q < batch_.latent_start[size_t(i + 1)]; ++q) {
        const int64_t e = batch_.by_latent[size_t(q)];
        s_enc += batch_.d_pre[size_t(e)];
        sum_f += entries[e].value;
        if (jump_) {
          const float theta = theta_[size_t(i)];
          const float w = (entries[e].pre - theta) / bandwidth;
          if (w > -0.5f && w < 0.5f) {  // straight-through: ∂f/∂θ = −θ/ε · K, ∂H/∂θ = −1/ε · K; θ = exp(log θ)
            const float d_theta = batch_.g_value[size_t(e)] * (-theta / bandwidth) + lambda * inv_B * (-1.0f / bandwidth);
            s_theta += d_theta * theta;
          }
        }
      }
      g_b_enc[i] = s_enc;
      if (jump_)
        g_log_threshold[i] = s_theta;
      else  // ∂/∂d_i of (λ/B) Σ_b f_bi ‖d_i‖
        decoder_scale_[size_t(i)] = sum_f == 0.0f || norms_[size_t(i)] == 0.0f ? 0.0f : lambda * inv_B * sum_f / norms_[size_t(i)];
    }
    sparse::weight_gradients(batch_, m, d, x_in, dxhat_.data(), nullptr, W_dec, jump_ ? nullptr : decoder_scale_.data(),
                             grad.get("W_enc"), grad.get("W_dec"));
    float* g_b_dec = grad.get("b_dec");
    sparse::column_sums(dxhat_.data(), B, d, g_b_dec, false);
    if (jump_) {
      sparse::input_gradient(batch_, W_enc, d, -1.0f, dxt_.data());  // −∂L/∂x̃
      sparse::column_sums(dxt_.data(), B, d, g_b_dec, true);
    }
    return true;
  }

 private:
  bool jump_;
  std::vector<float> xt_, xhat_, dxhat_, dxt_;    // [B, d]
  std::vector<float> norms_, theta_, decoder_scale_;  // [m]
};

}  // namespace

std::unique_ptr<StepKernel<float>> make_fast_relu_kernel(const ArchConfig& config, int64_t max_batch,
                                                         const FastKernelOptions& options, ReferenceFactory make_reference) {
  return std::make_unique<FastThresholdKernel>(config, false, max_batch, options, std::move(make_reference));
}

std::unique_ptr<StepKernel<float>> make_fast_jumprelu_kernel(const ArchConfig& config, int64_t max_batch,
                                                             const FastKernelOptions& options, ReferenceFactory make_reference) {
  return std::make_unique<FastThresholdKernel>(config, true, max_batch, options, std::move(make_reference));
}

}  // namespace saerad
