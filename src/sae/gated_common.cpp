#include "sae/gated_common.hpp"

#include <cmath>

#include "sae/arch_common.hpp"
#include "sae/dense_ops.hpp"
#include "sae/fast_kernel.hpp"

namespace saerad {

template <class T>
void GatedWorkspace<T>::reserve(int64_t B, int64_t d, int64_t m) {
  for (auto* v : {&xt, &xhat, &xaux, &dxhat, &dxaux, &dxt}) v->resize(size_t(B * d));
  for (auto* v : {&u, &f, &a, &df, &da, &du}) v->resize(size_t(B * m));
  norms.resize(size_t(m));
  exp_r.resize(size_t(m));
}

template <class T>
void gated_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, int64_t d, int64_t m,
                            const StepContext<T>& ctx, GatedVariant variant, GatedWorkspace<T>& ws,
                            BasicParams<T>& grad, StepOutputs<T>& out) {
  const T* W_enc = p.get("W_enc");  // [m, d]
  const T* b_gate = p.get("b_gate");
  const T* b_mag = p.get("b_mag");
  const T* r_mag = p.get("r_mag");
  const T* W_dec = p.get("W_dec");  // [m, d]
  const T* b_dec = p.get("b_dec");
  const bool frozen = variant.frozen_aux_decoder;
  // The decoder as seen by the auxiliary term and the penalty weights (a constant when frozen).
  const T* W_dec_aux = frozen && ctx.frozen_W_dec ? ctx.frozen_W_dec : W_dec;
  const T* b_dec_aux = frozen && ctx.frozen_b_dec ? ctx.frozen_b_dec : b_dec;
  const T lambda = ctx.lambda;

  // ---- forward ----
  dense::subtract_bias(x, B, d, b_dec, ws.xt.data());                            // x̃: [B, d]
  dense::linear_rows(ws.xt.data(), B, d, W_enc, m, static_cast<const T*>(nullptr), ws.u.data());  // u: [B, m]
  if (variant.penalty_weighted_by_decoder_norm)
    dense::row_norms(W_dec_aux, m, d, ws.norms.data());                          // ‖d_i‖: [m]
  else
    std::fill(ws.norms.begin(), ws.norms.end(), T(1));
  for (int64_t i = 0; i < m; ++i) ws.exp_r[size_t(i)] = std::exp(r_mag[i]);
  double penalty = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const size_t bi = size_t(b * m + i);
      const T pi_gate = ws.u[bi] + b_gate[i];
      const T pi_mag = ws.exp_r[size_t(i)] * ws.u[bi] + b_mag[i];
      ws.f[bi] = pi_gate > T(0) && pi_mag > T(0) ? pi_mag : T(0);
      ws.a[bi] = pi_gate > T(0) ? pi_gate : T(0);
      penalty += double(ws.a[bi]) * double(ws.norms[size_t(i)]);
    }
  dense::decode(ws.f.data(), B, m, W_dec, d, b_dec, ws.xhat.data());             // x̂: [B, d]
  dense::decode(ws.a.data(), B, m, W_dec_aux, d, b_dec_aux, ws.xaux.data());     // x̂_aux: [B, d]
  double recon = 0, aux = 0;
  const T inv_B = T(1) / T(B);
  for (int64_t k = 0; k < B * d; ++k) {
    const T e = ws.xhat[size_t(k)] - x[k], e_aux = ws.xaux[size_t(k)] - x[k];
    recon += double(e) * double(e);
    aux += double(e_aux) * double(e_aux);
    ws.dxhat[size_t(k)] = T(2) * e * inv_B;      // ∂L/∂x̂
    ws.dxaux[size_t(k)] = T(2) * e_aux * inv_B;  // ∂L/∂x̂_aux
  }
  out.stats.mse = recon / double(B);
  out.stats.aux = aux / double(B);
  out.stats.sparsity = double(lambda) * penalty / double(B);
  out.stats.loss = out.stats.mse + out.stats.sparsity + out.stats.aux;
  out.stats.l0 = dense::summarize_activations(ws.f.data(), B, m, out);

  // ---- backward ----
  dense::gemm<T>(false, true, B, m, d, T(1), ws.dxhat.data(), W_dec, T(0), ws.df.data());      // ∂L/∂f: [B, m]
  dense::gemm<T>(false, true, B, m, d, T(1), ws.dxaux.data(), W_dec_aux, T(0), ws.da.data());  // ∂L/∂a: [B, m]
  T* g_b_gate = grad.get("b_gate");
  T* g_b_mag = grad.get("b_mag");
  T* g_r_mag = grad.get("r_mag");
  std::fill(g_b_gate, g_b_gate + m, T(0));
  std::fill(g_b_mag, g_b_mag + m, T(0));
  std::fill(g_r_mag, g_r_mag + m, T(0));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < m; ++i) {
      const size_t bi = size_t(b * m + i);
      // magnitude path: only where the gate is open and π_mag > 0 (f = π_mag there)
      const T d_mag = ws.f[bi] > T(0) ? ws.df[bi] : T(0);
      // gate path: a = ReLU(π_gate) feeds the penalty and the auxiliary reconstruction
      const T d_gate = ws.a[bi] > T(0) ? ws.da[bi] + lambda * ws.norms[size_t(i)] * inv_B : T(0);
      g_b_gate[i] += d_gate;
      g_b_mag[i] += d_mag;
      g_r_mag[i] += d_mag * ws.exp_r[size_t(i)] * ws.u[bi];
      ws.du[bi] = d_gate + d_mag * ws.exp_r[size_t(i)];  // W_gate is shared by both paths
    }
  dense::gemm<T>(true, false, m, d, B, T(1), ws.du.data(), ws.xt.data(), T(0), grad.get("W_enc"));  // [m, d]
  dense::gemm<T>(false, false, B, d, m, T(1), ws.du.data(), W_enc, T(0), ws.dxt.data());           // ∂L/∂x̃: [B, d]

  T* g_W_dec = grad.get("W_dec");
  dense::gemm<T>(true, false, m, d, B, T(1), ws.f.data(), ws.dxhat.data(), T(0), g_W_dec);  // fᵀ ∂L/∂x̂
  T* g_b_dec = grad.get("b_dec");
  dense::column_sums(ws.dxhat.data(), B, d, g_b_dec);
  for (int64_t k = 0; k < B * d; ++k) ws.dxt[size_t(k)] = -ws.dxt[size_t(k)];  // x̃ = x − b_dec
  dense::column_sums(ws.dxt.data(), B, d, g_b_dec, true);
  if (!frozen) {
    dense::gemm<T>(true, false, m, d, B, T(1), ws.a.data(), ws.dxaux.data(), T(1), g_W_dec);  // aᵀ ∂L/∂x̂_aux
    dense::column_sums(ws.dxaux.data(), B, d, g_b_dec, true);
    if (variant.penalty_weighted_by_decoder_norm)
      dense::add_norm_penalty_gradient(ws.a.data(), B, m, W_dec, d, ws.norms.data(), lambda * inv_B, g_W_dec);
  }
}

void gated_encode(const Params& p, const float* x, int64_t n, int64_t d, int64_t m, float* f) {
  std::vector<float> xt(size_t(n * d));
  dense::subtract_bias(x, n, d, p.get("b_dec"), xt.data());
  dense::linear_rows(xt.data(), n, d, p.get("W_enc"), m, static_cast<const float*>(nullptr), f);  // u
  const float* b_gate = p.get("b_gate");
  const float* b_mag = p.get("b_mag");
  const float* r_mag = p.get("r_mag");
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < m; ++i) {
      float& v = f[b * m + i];
      const float pi_mag = std::exp(r_mag[i]) * v + b_mag[i];
      v = v + b_gate[i] > 0.0f && pi_mag > 0.0f ? pi_mag : 0.0f;
    }
}

namespace {

template <class T>
class GatedKernel final : public StepKernel<T> {
 public:
  GatedKernel(const ArchConfig& config, GatedVariant variant, int64_t max_batch)
      : d_(config.d_in), m_(config.d_sae), variant_(variant) {
    ws_.reserve(max_batch, d_, m_);
  }
  void step(const BasicParams<T>& params, const T* x, int64_t batch, const StepContext<T>& ctx,
            BasicParams<T>& grad, StepOutputs<T>& out) override {
    gated_forward_backward(params, x, batch, d_, m_, ctx, variant_, ws_, grad, out);
  }

 private:
  int64_t d_, m_;
  GatedVariant variant_;
  GatedWorkspace<T> ws_;
};

}  // namespace

ParamLayout GatedArchitecture::layout(const ArchConfig& c) const {
  ParamLayout l;
  l.add("W_enc", {c.d_sae, c.d_in});
  l.add("b_gate", {c.d_sae});
  l.add("b_mag", {c.d_sae});
  l.add("r_mag", {c.d_sae});
  l.add("W_dec", {c.d_sae, c.d_in});
  l.add("b_dec", {c.d_in});
  return l;
}

void GatedArchitecture::init(const ArchConfig& c, Params& params, Rng& rng, const float* b_dec_init) const {
  init_tied_weights(c, params, rng, b_dec_init, unit_norm_ ? 1.0 : c.decoder_init_norm);
}

std::unique_ptr<StepKernel<float>> GatedArchitecture::reference_kernel(const ArchConfig& c, int64_t max_batch) const {
  return std::make_unique<GatedKernel<float>>(c, variant(c), max_batch);
}

std::unique_ptr<StepKernel<double>> GatedArchitecture::reference_kernel_f64(const ArchConfig& c, int64_t max_batch) const {
  return std::make_unique<GatedKernel<double>>(c, variant(c), max_batch);
}

std::unique_ptr<StepKernel<float>> GatedArchitecture::fast_kernel(const ArchConfig& c, int64_t max_batch,
                                                                  const FastKernelOptions& options) const {
  return make_fast_gated_kernel(c, variant(c), max_batch, options, [this, c](int64_t rows) { return reference_kernel(c, rows); });
}

void GatedArchitecture::encode(const ArchConfig& c, const Params& params, const float* x, int64_t n, float* f) const {
  gated_encode(params, x, n, c.d_in, c.d_sae, f);
}

SaelensTensors GatedArchitecture::to_saelens(const ArchConfig& c, const Params& params) const {
  SaelensTensors t = common_saelens_tensors(c, params);
  for (const char* name : {"b_gate", "b_mag", "r_mag"}) add_saelens_vector(t, name, params.span(name));
  return t;
}

Json GatedArchitecture::saelens_config(const ArchConfig& c) const {
  Json j;
  j["apply_b_dec_to_input"] = true;
  j["aux_decoder"] = c.aux_decoder == AuxDecoder::Live && !unit_norm_ ? "live" : "frozen";
  return j;
}

template void gated_forward_backward<float>(const BasicParams<float>&, const float*, int64_t, int64_t, int64_t,
                                            const StepContext<float>&, GatedVariant, GatedWorkspace<float>&,
                                            BasicParams<float>&, StepOutputs<float>&);
template void gated_forward_backward<double>(const BasicParams<double>&, const double*, int64_t, int64_t, int64_t,
                                             const StepContext<double>&, GatedVariant, GatedWorkspace<double>&,
                                             BasicParams<double>&, StepOutputs<double>&);
template struct GatedWorkspace<float>;
template struct GatedWorkspace<double>;

}  // namespace saerad
