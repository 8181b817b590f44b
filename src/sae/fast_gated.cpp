// The fast step kernel of the gated family (gated-hybrid, gated): the math of gated_forward_backward
// (gated_common.hpp) evaluated over the open gates only. An entry is a latent with π_gate > 0:
//   value = f = ReLU(π_mag) (0 when π_mag ≤ 0),  aux_value = a = π_gate,  pre = u = (W_gate x̃)_i
#include <cmath>

#include "sae/fast_kernel.hpp"

namespace saerad {

namespace {

class GatedSelector final : public sparse::ElementwiseSelector<GatedSelector> {
 public:
  const float* b_gate = nullptr;
  const float* b_mag = nullptr;
  const float* exp_r = nullptr;
  int64_t m = 0;
  // latent i with pre-activation u: an entry where the gate is open
  void consider(int64_t i, float u, std::vector<sparse::Entry>& out) const {
    const float pi_gate = u + b_gate[i];
    if (!(pi_gate > 0.0f)) return;
    const float pi_mag = exp_r[i] * u + b_mag[i];
    out.push_back({int32_t(i), pi_mag > 0.0f ? pi_mag : 0.0f, pi_gate, u});
  }
  // u + b_gate > 0 ⇔ u > −b_gate (negation is exact; a positive exact sum never rounds to 0)
  sparse::ScreenRequest screen_request(float* threshold) const override {
    for (int64_t i = 0; i < m; ++i) threshold[i] = -b_gate[i];
    return {.rule = sparse::ScreenRule::Threshold, .per_latent = threshold};
  }
};

class FastGatedKernel final : public FastKernel {
 public:
  FastGatedKernel(const ArchConfig& config, GatedVariant variant, int64_t max_batch, const FastKernelOptions& options,
                  ReferenceFactory make_reference)
      : FastKernel(config, max_batch, options, std::move(make_reference)), variant_(variant) {
    for (auto* v : {&xt_, &xhat_, &xaux_, &dxhat_, &dxaux_, &dxt_}) v->resize(size_t(max_batch * d_));
    for (auto* v : {&norms_, &exp_r_, &decoder_scale_}) v->resize(size_t(m_));
  }

 protected:
  bool sparse_step(const Params& p, const float* x, int64_t B, const StepContext<float>& ctx, Params& grad,
                   StepOutputs<float>& out) override {
    const float* W_enc = p.get("W_enc");  // [m, d]
    const float* W_dec = p.get("W_dec");  // [m, d]
    const float* b_dec = p.get("b_dec");
    const bool frozen = variant_.frozen_aux_decoder;
    const bool weighted = variant_.penalty_weighted_by_decoder_norm;
    const float* W_dec_aux = frozen && ctx.frozen_W_dec ? ctx.frozen_W_dec : W_dec;
    const float* b_dec_aux = frozen && ctx.frozen_b_dec ? ctx.frozen_b_dec : b_dec;
    const float lambda = ctx.lambda;
    const float inv_B = 1.0f / float(B);
    const int64_t d = d_, m = m_;

    // ---- forward: encoder GEMM tiles → open gates ----
    sparse::subtract_bias(x, B, d, b_dec, xt_.data());  // x̃: [B, d]
    const float* r_mag = p.get("r_mag");
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < m; ++i) exp_r_[size_t(i)] = std::exp(r_mag[i]);
    GatedSelector selector;
    selector.b_gate = p.get("b_gate");
    selector.b_mag = p.get("b_mag");
    selector.exp_r = exp_r_.data();
    selector.m = m;
    if (!sparse::encode_and_select(xt_.data(), B, d, W_enc, m, tiles_, selector, max_entries(B), batch_)) return false;
    sparse::pack_rows(batch_);
    const int64_t nnz = batch_.nnz();
    if (weighted)
      sparse::row_norms(W_dec_aux, m, d, norms_.data());  // ‖d_i‖: [m]
    else
      std::fill(norms_.begin(), norms_.end(), 1.0f);
    const sparse::Entry* entries = batch_.entries.data();

    // x̂ = f W_dec + b_dec, x̂_aux = a W_dec' + b_dec': [B, d]
    sparse::decode_both(batch_, W_dec, b_dec, xhat_.data(), W_dec_aux, b_dec_aux, xaux_.data(), d);
    const double recon = sparse::squared_error(xhat_.data(), x, B, d, 2.0f * inv_B, dxhat_.data(), row_partial_);
    const double aux = sparse::squared_error(xaux_.data(), x, B, d, 2.0f * inv_B, dxaux_.data(), row_partial_);
    // penalty Σ a_i w_i: per-row partials, added in row order
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; ++b) {
      double s = 0;
      for (int64_t e = batch_.row_start[size_t(b)]; e < batch_.row_start[size_t(b + 1)]; ++e)
        s += double(entries[e].aux_value) * double(norms_[size_t(entries[e].latent)]);
      row_partial_[size_t(b)] = s;
    }
    double penalty = 0;
    for (int64_t b = 0; b < B; ++b) penalty += row_partial_[size_t(b)];
    out.stats.mse = recon / double(B);
    out.stats.aux = aux / double(B);
    out.stats.sparsity = double(lambda) * penalty / double(B);
    out.stats.loss = out.stats.mse + out.stats.sparsity + out.stats.aux;

    // ---- backward ----
    // ∂L/∂f (where f > 0) and ∂L/∂a
    sparse::decoder_dots_both(batch_, dxhat_.data(), W_dec, dxaux_.data(), W_dec_aux, d);
    const float penalty_scale = lambda * inv_B;
#pragma omp parallel for schedule(static)
    for (int64_t e = 0; e < nnz; ++e) {  // ∂L/∂u: W_gate is shared by both paths
      const auto i = size_t(entries[e].latent);
      const float d_mag = entries[e].value > 0.0f ? batch_.g_value[size_t(e)] : 0.0f;
      const float d_gate = batch_.g_aux[size_t(e)] + lambda * norms_[i] * inv_B;
      batch_.d_pre[size_t(e)] = d_gate + d_mag * exp_r_[i];
    }
    sparse::build_transpose(batch_, m);
    out.stats.l0 = sparse::summarize(batch_, m, out);

    float* g_b_gate = grad.get("b_gate");
    float* g_b_mag = grad.get("b_mag");
    float* g_r_mag = grad.get("r_mag");
    const bool live = !frozen;
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < m; ++i) {  // per-latent sums over its rows in row order (as the reference)
      float s_gate = 0, s_mag = 0, s_r = 0, sum_a = 0;
      for (int64_t s = batch_.latent_start[size_t(i)]; s < batch_.latent_start[size_t(i + 1)]; ++s) {
        const int64_t e = batch_.by_latent[size_t(s)];
        const float d_mag = entries[e].value > 0.0f ? batch_.g_value[size_t(e)] : 0.0f;
        s_gate += batch_.g_aux[size_t(e)] + lambda * norms_[size_t(i)] * inv_B;
        s_mag += d_mag;
        s_r += d_mag * exp_r_[size_t(i)] * entries[e].pre;
        sum_a += entries[e].aux_value;
      }
      g_b_gate[i] = s_gate;
      g_b_mag[i] = s_mag;
      g_r_mag[i] = s_r;
      // ∂/∂d_i of (λ/B) Σ_b a_bi ‖d_i‖ (live, norm-weighted only)
      decoder_scale_[size_t(i)] =
          sum_a == 0.0f || norms_[size_t(i)] == 0.0f ? 0.0f : penalty_scale * sum_a / norms_[size_t(i)];
    }
    sparse::weight_gradients(batch_, m, d, xt_.data(), dxhat_.data(), live ? dxaux_.data() : nullptr, W_dec,
                             live && weighted ? decoder_scale_.data() : nullptr, grad.get("W_enc"), grad.get("W_dec"));
    sparse::input_gradient(batch_, W_enc, d, -1.0f, dxt_.data());  // −∂L/∂x̃ (x̃ = x − b_dec)
    float* g_b_dec = grad.get("b_dec");
    sparse::column_sums(dxhat_.data(), B, d, g_b_dec, false);
    sparse::column_sums(dxt_.data(), B, d, g_b_dec, true);
    if (live) sparse::column_sums(dxaux_.data(), B, d, g_b_dec, true);
    return true;
  }

 private:
  GatedVariant variant_;
  std::vector<float> xt_, xhat_, xaux_, dxhat_, dxaux_, dxt_;  // [B, d]
  std::vector<float> norms_, exp_r_, decoder_scale_;           // [m]
};

}  // namespace

std::unique_ptr<StepKernel<float>> make_fast_gated_kernel(const ArchConfig& config, GatedVariant variant, int64_t max_batch,
                                                          const FastKernelOptions& options, ReferenceFactory make_reference) {
  return std::make_unique<FastGatedKernel>(config, variant, max_batch, options, std::move(make_reference));
}

}  // namespace saerad
