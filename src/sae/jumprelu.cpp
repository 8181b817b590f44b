// `jumprelu` — f = π ⊙ H(π − θ), θ = exp(log_threshold) per feature (initially jump_init_threshold), L0
// penalty λ Σ H(π_i − θ_i), straight-through pseudo-derivatives with a rectangle kernel of bandwidth ε:
//   ∂f/∂θ = −(θ/ε) K((π − θ)/ε),  ∂H/∂θ = −(1/ε) K((π − θ)/ε),  ∂f/∂π = H(π − θ),  K(u) = 1[|u| < 1/2].
// π = W_enc(x − b_dec) + b_enc. Unconstrained decoder (folding makes rows unit-norm at export).
// Tensors: W_enc [m, d], b_enc [m], log_threshold [m], W_dec [m, d], b_dec [d].
#include <algorithm>
#include <cmath>

#include "sae/arch_common.hpp"
#include "sae/dense_ops.hpp"
#include "sae/fast_kernel.hpp"
#include "sae/topk_common.hpp"

namespace saerad {

namespace {

template <class T>
struct JumpReluWorkspace {
  std::vector<T> xt, xhat, dxhat, dxt;  // [B, d]
  std::vector<T> pi, f, df;             // [B, m]
  std::vector<T> theta;                 // [m]
};

// x: [B, d] → grad, out.
// Forward: x̃ = x − b_dec; π = x̃ W_encᵀ + b_enc; f = π ⊙ H(π − θ); x̂ = f W_dec + b_dec
// Loss:    mean_b ‖x − x̂‖² + λ Σ_i H(π_i − θ_i)
template <class T>
void jumprelu_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, int64_t d, int64_t m, T bandwidth,
                               const StepContext<T>& ctx, JumpReluWorkspace<T>& ws, BasicParams<T>& grad,
                               StepOutputs<T>& out) {
  const T* W_enc = p.get("W_enc");
  const T* W_dec = p.get("W_dec");
  const T* log_threshold = p.get("log_threshold");
  const T lambda = ctx.lambda;
  const T inv_B = T(1) / T(B);
  for (int64_t i = 0; i < m; ++i) ws.theta[size_t(i)] = std::exp(log_threshold[i]);
  dense::subtract_bias(x, B, d, p.get("b_dec"), ws.xt.data());
  dense::linear_rows(ws.xt.data(), B, d, W_enc, m, p.get("b_enc"), ws.pi.data());  // π: [B, m]
  int64_t active = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const size_t bi = size_t(b * m + i);
      const bool open = ws.pi[bi] > ws.theta[size_t(i)];
      ws.f[bi] = open ? ws.pi[bi] : T(0);
      active += open;
    }
  dense::decode(ws.f.data(), B, m, W_dec, d, p.get("b_dec"), ws.xhat.data());
  double recon = 0;
  for (int64_t q = 0; q < B * d; ++q) {
    const T e = ws.xhat[size_t(q)] - x[q];
    recon += double(e) * double(e);
    ws.dxhat[size_t(q)] = T(2) * e * inv_B;
  }
  out.stats.mse = recon / double(B);
  out.stats.sparsity = double(lambda) * double(active) / double(B);
  out.stats.aux = 0;
  out.stats.loss = out.stats.mse + out.stats.sparsity;
  out.stats.l0 = dense::summarize_activations(ws.f.data(), B, m, out);

  dense::gemm<T>(false, true, B, m, d, T(1), ws.dxhat.data(), W_dec, T(0), ws.df.data());  // ∂L/∂f: [B, m]
  T* g_log_threshold = grad.get("log_threshold");
  std::fill(g_log_threshold, g_log_threshold + m, T(0));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const size_t bi = size_t(b * m + i);
      const T theta = ws.theta[size_t(i)];
      const T u = (ws.pi[bi] - theta) / bandwidth;
      if (u > T(-0.5) && u < T(0.5)) {  // inside the kernel window: straight-through terms
        const T d_theta = ws.df[bi] * (-theta / bandwidth) + lambda * inv_B * (T(-1) / bandwidth);
        g_log_threshold[i] += d_theta * theta;  // θ = exp(log θ)
      }
      if (ws.f[bi] == T(0)) ws.df[bi] = T(0);  // ∂f/∂π = H(π − θ) → ∂L/∂π
    }
  dense::gemm<T>(true, false, m, d, B, T(1), ws.df.data(), ws.xt.data(), T(0), grad.get("W_enc"));
  dense::column_sums(ws.df.data(), B, m, grad.get("b_enc"));
  dense::gemm<T>(true, false, m, d, B, T(1), ws.f.data(), ws.dxhat.data(), T(0), grad.get("W_dec"));
  dense::gemm<T>(false, false, B, d, m, T(-1), ws.df.data(), W_enc, T(0), ws.dxt.data());
  T* g_b_dec = grad.get("b_dec");
  dense::column_sums(ws.dxhat.data(), B, d, g_b_dec);
  dense::column_sums(ws.dxt.data(), B, d, g_b_dec, true);
}

template <class T>
class JumpReluKernel final : public StepKernel<T> {
 public:
  JumpReluKernel(const ArchConfig& c, int64_t max_batch) : d_(c.d_in), m_(c.d_sae), bandwidth_(T(c.jump_bandwidth)) {
    for (auto* v : {&ws_.xt, &ws_.xhat, &ws_.dxhat, &ws_.dxt}) v->resize(size_t(max_batch * d_));
    for (auto* v : {&ws_.pi, &ws_.f, &ws_.df}) v->resize(size_t(max_batch * m_));
    ws_.theta.resize(size_t(m_));
  }
  void step(const BasicParams<T>& params, const T* x, int64_t batch, const StepContext<T>& ctx,
            BasicParams<T>& grad, StepOutputs<T>& out) override {
    jumprelu_forward_backward(params, x, batch, d_, m_, bandwidth_, ctx, ws_, grad, out);
  }

 private:
  int64_t d_, m_;
  T bandwidth_;
  JumpReluWorkspace<T> ws_;
};

class JumpReluArchitecture final : public Architecture {
 public:
  std::string name() const override { return "jumprelu"; }
  std::string saelens_name() const override { return "jumprelu"; }
  ParamLayout layout(const ArchConfig& c) const override {
    ParamLayout l;
    l.add("W_enc", {c.d_sae, c.d_in});
    l.add("b_enc", {c.d_sae});
    l.add("log_threshold", {c.d_sae});
    l.add("W_dec", {c.d_sae, c.d_in});
    l.add("b_dec", {c.d_in});
    return l;
  }
  void init(const ArchConfig& c, Params& params, Rng& rng, const float* b_dec_init) const override {
    init_tied_weights(c, params, rng, b_dec_init, c.decoder_init_norm);
    auto log_threshold = params.span("log_threshold");
    std::fill(log_threshold.begin(), log_threshold.end(), float(std::log(c.jump_init_threshold)));
  }
  std::unique_ptr<StepKernel<float>> reference_kernel(const ArchConfig& c, int64_t max_batch) const override {
    return std::make_unique<JumpReluKernel<float>>(c, max_batch);
  }
  std::unique_ptr<StepKernel<double>> reference_kernel_f64(const ArchConfig& c, int64_t max_batch) const override {
    return std::make_unique<JumpReluKernel<double>>(c, max_batch);
  }
  std::unique_ptr<StepKernel<float>> fast_kernel(const ArchConfig& c, int64_t max_batch,
                                                 const FastKernelOptions& options) const override {
    return make_fast_jumprelu_kernel(c, max_batch, options, [this, c](int64_t rows) { return reference_kernel(c, rows); });
  }
  void encode(const ArchConfig& c, const Params& params, const float* x, int64_t n, float* f) const override {
    topk_preactivations(params, x, n, c.d_in, c.d_sae, f);  // π = W_enc(x − b_dec) + b_enc
    const float* log_threshold = params.get("log_threshold");
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < c.d_sae; ++i) {
        float& v = f[b * c.d_sae + i];
        v = v > std::exp(log_threshold[i]) ? v : 0.0f;
      }
  }
  SaelensTensors to_saelens(const ArchConfig& c, const Params& params) const override {
    SaelensTensors t = common_saelens_tensors(c, params);
    add_saelens_vector(t, "b_enc", params.span("b_enc"));
    std::vector<float> theta;
    for (float v : params.span("log_threshold")) theta.push_back(std::exp(v));
    add_saelens_vector(t, "threshold", theta);
    return t;
  }
  Json saelens_config(const ArchConfig& c) const override {
    return {{"apply_b_dec_to_input", true}, {"jump_bandwidth", c.jump_bandwidth}};
  }
};

}  // namespace

std::unique_ptr<Architecture> make_jumprelu_architecture() { return std::make_unique<JumpReluArchitecture>(); }

}  // namespace saerad
