// `relu` — Anthropic's April 2024 SAE: f = ReLU(W_enc x + b_enc) (no b_dec subtracted from the input),
// loss ‖x − x̂‖² + λ Σ_i f_i ‖d_i‖, unconstrained decoder norms. Tensors: W_enc [m, d], b_enc [m], W_dec [m, d], b_dec [d].
#include <algorithm>

#include "sae/arch_common.hpp"
#include "sae/dense_ops.hpp"
#include "sae/fast_kernel.hpp"

namespace saerad {

namespace {

template <class T>
struct ReluWorkspace {
  std::vector<T> xhat, dxhat;  // [B, d]
  std::vector<T> f, df;        // [B, m]
  std::vector<T> norms;        // [m]
};

// x: [B, d] → grad, out.
// Forward:  z = x W_encᵀ + b_enc;  f = ReLU(z);  x̂ = f W_dec + b_dec
// Loss:     mean_b ‖x − x̂‖² + λ Σ_i f_i ‖d_i‖
template <class T>
void relu_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, int64_t d, int64_t m,
                           const StepContext<T>& ctx, ReluWorkspace<T>& ws, BasicParams<T>& grad, StepOutputs<T>& out) {
  const T* W_enc = p.get("W_enc");
  const T* W_dec = p.get("W_dec");
  const T lambda = ctx.lambda;
  const T inv_B = T(1) / T(B);
  dense::linear_rows(x, B, d, W_enc, m, p.get("b_enc"), ws.f.data());  // z: [B, m]
  for (auto& v : ws.f) v = std::max(v, T(0));                          // f = ReLU(z)
  dense::row_norms(W_dec, m, d, ws.norms.data());
  dense::decode(ws.f.data(), B, m, W_dec, d, p.get("b_dec"), ws.xhat.data());
  double recon = 0, penalty = 0;
  for (int64_t k = 0; k < B * d; ++k) {
    const T e = ws.xhat[size_t(k)] - x[k];
    recon += double(e) * double(e);
    ws.dxhat[size_t(k)] = T(2) * e * inv_B;
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) penalty += double(ws.f[size_t(b * m + i)]) * double(ws.norms[size_t(i)]);
  out.stats.mse = recon / double(B);
  out.stats.sparsity = double(lambda) * penalty / double(B);
  out.stats.aux = 0;
  out.stats.loss = out.stats.mse + out.stats.sparsity;
  out.stats.l0 = dense::summarize_activations(ws.f.data(), B, m, out);

  dense::gemm<T>(false, true, B, m, d, T(1), ws.dxhat.data(), W_dec, T(0), ws.df.data());  // ∂L/∂f: [B, m]
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const size_t bi = size_t(b * m + i);
      ws.df[bi] = ws.f[bi] > T(0) ? ws.df[bi] + lambda * ws.norms[size_t(i)] * inv_B : T(0);  // → ∂L/∂z
    }
  dense::gemm<T>(true, false, m, d, B, T(1), ws.df.data(), x, T(0), grad.get("W_enc"));
  dense::column_sums(ws.df.data(), B, m, grad.get("b_enc"));
  T* g_W_dec = grad.get("W_dec");
  dense::gemm<T>(true, false, m, d, B, T(1), ws.f.data(), ws.dxhat.data(), T(0), g_W_dec);
  dense::add_norm_penalty_gradient(ws.f.data(), B, m, W_dec, d, ws.norms.data(), lambda * inv_B, g_W_dec);  // penalty
  dense::column_sums(ws.dxhat.data(), B, d, grad.get("b_dec"));
}

template <class T>
class ReluKernel final : public StepKernel<T> {
 public:
  ReluKernel(const ArchConfig& c, int64_t max_batch) : d_(c.d_in), m_(c.d_sae) {
    ws_.xhat.resize(size_t(max_batch * d_));
    ws_.dxhat.resize(size_t(max_batch * d_));
    ws_.f.resize(size_t(max_batch * m_));
    ws_.df.resize(size_t(max_batch * m_));
    ws_.norms.resize(size_t(m_));
  }
  void step(const BasicParams<T>& params, const T* x, int64_t batch, const StepContext<T>& ctx,
            BasicParams<T>& grad, StepOutputs<T>& out) override {
    relu_forward_backward(params, x, batch, d_, m_, ctx, ws_, grad, out);
  }

 private:
  int64_t d_, m_;
  ReluWorkspace<T> ws_;
};

class ReluArchitecture final : public Architecture {
 public:
  std::string name() const override { return "relu"; }
  std::string saelens_name() const override { return "standard"; }
  ParamLayout layout(const ArchConfig& c) const override {
    ParamLayout l;
    l.add("W_enc", {c.d_sae, c.d_in});
    l.add("b_enc", {c.d_sae});
    l.add("W_dec", {c.d_sae, c.d_in});
    l.add("b_dec", {c.d_in});
    return l;
  }
  void init(const ArchConfig& c, Params& params, Rng& rng, const float* b_dec_init) const override {
    init_tied_weights(c, params, rng, b_dec_init, c.decoder_init_norm);
  }
  std::unique_ptr<StepKernel<float>> reference_kernel(const ArchConfig& c, int64_t max_batch) const override {
    return std::make_unique<ReluKernel<float>>(c, max_batch);
  }
  std::unique_ptr<StepKernel<double>> reference_kernel_f64(const ArchConfig& c, int64_t max_batch) const override {
    return std::make_unique<ReluKernel<double>>(c, max_batch);
  }
  std::unique_ptr<StepKernel<float>> fast_kernel(const ArchConfig& c, int64_t max_batch,
                                                 const FastKernelOptions& options) const override {
    return make_fast_relu_kernel(c, max_batch, options, [this, c](int64_t rows) { return reference_kernel(c, rows); });
  }
  void encode(const ArchConfig& c, const Params& params, const float* x, int64_t n, float* f) const override {
    dense::linear_rows(x, n, c.d_in, params.get("W_enc"), c.d_sae, params.get("b_enc"), f);
    for (int64_t k = 0; k < n * c.d_sae; ++k) f[k] = std::max(f[k], 0.0f);
  }
  SaelensTensors to_saelens(const ArchConfig& c, const Params& params) const override {
    SaelensTensors t = common_saelens_tensors(c, params);
    add_saelens_vector(t, "b_enc", params.span("b_enc"));
    return t;
  }
  Json saelens_config(const ArchConfig&) const override { return {{"apply_b_dec_to_input", false}}; }
};

}  // namespace

std::unique_ptr<Architecture> make_relu_architecture() { return std::make_unique<ReluArchitecture>(); }

}  // namespace saerad
