#include "sae/topk_common.hpp"

#include <algorithm>

#include "sae/arch_common.hpp"
#include "sae/dense_ops.hpp"
#include "sae/fast_kernel.hpp"

namespace saerad {

template <class T>
void TopkWorkspace<T>::reserve(int64_t B, int64_t d, int64_t m) {
  for (auto* v : {&xt, &xhat, &dxhat, &residual, &ehat, &dehat, &dxt}) v->resize(size_t(B * d));
  for (auto* v : {&z, &f, &faux, &df, &dfaux}) v->resize(size_t(B * m));
  idx.resize(size_t(m));
  scratch.reserve(size_t(m));
  flat.reserve(size_t(B * m));
}

template <class T>
void select_top_k_rows(const T* z, int64_t B, int64_t m, int64_t k, T* f, TopkWorkspace<T>& ws) {
  std::fill(f, f + B * m, T(0));
  ws.idx.resize(size_t(std::max<int64_t>(m, 1)));
  for (int64_t b = 0; b < B; ++b) {
    const int64_t count = dense::top_k_positive(z + b * m, m, k, nullptr, ws.idx.data(), ws.scratch);
    for (int64_t j = 0; j < count; ++j) f[b * m + ws.idx[size_t(j)]] = z[b * m + ws.idx[size_t(j)]];
  }
}

namespace {

// z: [B, m] → f: the B·k largest positive entries of the whole batch (ties to the lower flat index).
template <class T>
void select_top_k_batch(const T* z, int64_t B, int64_t m, int64_t k, T* f, TopkWorkspace<T>& ws) {
  std::fill(f, f + B * m, T(0));
  ws.flat.clear();
  for (int64_t q = 0; q < B * m; ++q)
    if (z[q] > T(0)) ws.flat.push_back(q);
  const int64_t count = std::min<int64_t>(B * k, int64_t(ws.flat.size()));
  std::partial_sort(ws.flat.begin(), ws.flat.begin() + count, ws.flat.end(),
                    [z](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
  for (int64_t j = 0; j < count; ++j) f[ws.flat[size_t(j)]] = z[ws.flat[size_t(j)]];
}

}  // namespace

template <class T>
void topk_forward_backward(const BasicParams<T>& p, const T* x, int64_t B, const ArchConfig& config,
                           bool batch_selection, const StepContext<T>& ctx, TopkWorkspace<T>& ws,
                           BasicParams<T>& grad, StepOutputs<T>& out) {
  const int64_t d = config.d_in, m = config.d_sae;
  const T* W_enc = p.get("W_enc");
  const T* W_dec = p.get("W_dec");
  const T* b_dec = p.get("b_dec");

  // ---- forward ----
  dense::subtract_bias(x, B, d, b_dec, ws.xt.data());
  dense::linear_rows(ws.xt.data(), B, d, W_enc, m, p.get("b_enc"), ws.z.data());  // z: [B, m]
  if (batch_selection)
    select_top_k_batch(ws.z.data(), B, m, config.k, ws.f.data(), ws);
  else
    select_top_k_rows(ws.z.data(), B, m, config.k, ws.f.data(), ws);
  dense::decode(ws.f.data(), B, m, W_dec, d, b_dec, ws.xhat.data());  // x̂: [B, d]
  double variance = dense::total_variance(x, B, d);
  if (!(variance > 0)) variance = 1;  // a batch of identical rows: fall back to the plain sum
  double recon = 0;
  for (int64_t q = 0; q < B * d; ++q) {
    const T e = ws.xhat[size_t(q)] - x[q];
    recon += double(e) * double(e);
    ws.dxhat[size_t(q)] = T(2) * e / T(variance);
  }
  out.stats.mse = recon / double(B);
  out.stats.sparsity = 0;
  out.stats.l0 = dense::summarize_activations(ws.f.data(), B, m, out);

  // ---- AuxK: the top-k_aux dead latents reconstruct the residual ----
  bool any_dead = false;
  if (ctx.dead)
    for (int64_t i = 0; i < m && !any_dead; ++i) any_dead = ctx.dead[i] != 0;
  double aux = 0;
  if (any_dead) {
    const int64_t k_aux = config.effective_k_aux();
    std::fill(ws.faux.begin(), ws.faux.begin() + B * m, T(0));
    for (int64_t b = 0; b < B; ++b) {
      const int64_t count = dense::top_k_positive(ws.z.data() + b * m, m, k_aux, ctx.dead, ws.idx.data(), ws.scratch);
      for (int64_t j = 0; j < count; ++j) ws.faux[size_t(b * m + ws.idx[size_t(j)])] = ws.z[size_t(b * m + ws.idx[size_t(j)])];
    }
    for (int64_t q = 0; q < B * d; ++q) ws.residual[size_t(q)] = ctx.aux_residual ? ctx.aux_residual[q] : x[q] - ws.xhat[size_t(q)];
    dense::decode(ws.faux.data(), B, m, W_dec, d, static_cast<const T*>(nullptr), ws.ehat.data());  // ê: [B, d]
    double residual_variance = dense::total_variance(ws.residual.data(), B, d);
    if (!(residual_variance > 0)) residual_variance = 1;
    const T scale = T(2.0 * config.aux_k_coef / residual_variance);
    double sq = 0;
    for (int64_t q = 0; q < B * d; ++q) {
      const T diff = ws.ehat[size_t(q)] - ws.residual[size_t(q)];
      sq += double(diff) * double(diff);
      ws.dehat[size_t(q)] = scale * diff;
    }
    aux = config.aux_k_coef * sq / residual_variance;
  }
  out.stats.aux = aux;
  out.stats.loss = recon / variance + aux;

  // ---- backward ----
  dense::gemm<T>(false, true, B, m, d, T(1), ws.dxhat.data(), W_dec, T(0), ws.df.data());  // ∂L/∂f: [B, m]
  for (int64_t q = 0; q < B * m; ++q)
    if (ws.f[size_t(q)] == T(0)) ws.df[size_t(q)] = T(0);  // → ∂L/∂z through the selected latents
  T* g_W_dec = grad.get("W_dec");
  dense::gemm<T>(true, false, m, d, B, T(1), ws.f.data(), ws.dxhat.data(), T(0), g_W_dec);
  if (any_dead) {
    dense::gemm<T>(false, true, B, m, d, T(1), ws.dehat.data(), W_dec, T(0), ws.dfaux.data());
    for (int64_t q = 0; q < B * m; ++q)
      if (ws.faux[size_t(q)] != T(0)) ws.df[size_t(q)] += ws.dfaux[size_t(q)];
    dense::gemm<T>(true, false, m, d, B, T(1), ws.faux.data(), ws.dehat.data(), T(1), g_W_dec);
  }
  dense::gemm<T>(true, false, m, d, B, T(1), ws.df.data(), ws.xt.data(), T(0), grad.get("W_enc"));
  dense::column_sums(ws.df.data(), B, m, grad.get("b_enc"));
  dense::gemm<T>(false, false, B, d, m, T(-1), ws.df.data(), W_enc, T(0), ws.dxt.data());  // −∂L/∂x̃
  T* g_b_dec = grad.get("b_dec");
  dense::column_sums(ws.dxhat.data(), B, d, g_b_dec);
  dense::column_sums(ws.dxt.data(), B, d, g_b_dec, true);
  if (p.has("threshold")) {  // buffers get no gradient
    T* g = grad.get("threshold");
    std::fill(g, g + m, T(0));
    grad.get("threshold_initialized")[0] = T(0);
  }
}

void topk_preactivations(const Params& p, const float* x, int64_t n, int64_t d, int64_t m, float* z) {
  std::vector<float> xt(size_t(n * d));
  dense::subtract_bias(x, n, d, p.get("b_dec"), xt.data());
  dense::linear_rows(xt.data(), n, d, p.get("W_enc"), m, p.get("b_enc"), z);
}

namespace {

template <class T>
class TopkKernel final : public StepKernel<T> {
 public:
  TopkKernel(const ArchConfig& config, bool batch_selection, int64_t max_batch)
      : config_(config), batch_selection_(batch_selection) {
    ws_.reserve(max_batch, config.d_in, config.d_sae);
  }
  void step(const BasicParams<T>& params, const T* x, int64_t batch, const StepContext<T>& ctx,
            BasicParams<T>& grad, StepOutputs<T>& out) override {
    topk_forward_backward(params, x, batch, config_, batch_selection_, ctx, ws_, grad, out);
  }

 private:
  ArchConfig config_;
  bool batch_selection_;
  TopkWorkspace<T> ws_;
};

}  // namespace

ParamLayout TopkFamilyArchitecture::layout(const ArchConfig& c) const {
  ParamLayout l;
  l.add("W_enc", {c.d_sae, c.d_in});
  l.add("b_enc", {c.d_sae});
  l.add("W_dec", {c.d_sae, c.d_in});
  l.add("b_dec", {c.d_in});
  if (batch_selection_) {
    l.add("threshold", {c.d_sae}, /*trainable=*/false);
    l.add("threshold_initialized", {1}, /*trainable=*/false);
  }
  return l;
}

void TopkFamilyArchitecture::init(const ArchConfig& c, Params& params, Rng& rng, const float* b_dec_init) const {
  init_tied_weights(c, params, rng, b_dec_init, 1.0);
}

std::unique_ptr<StepKernel<float>> TopkFamilyArchitecture::reference_kernel(const ArchConfig& c, int64_t max_batch) const {
  return std::make_unique<TopkKernel<float>>(c, batch_selection_, max_batch);
}

std::unique_ptr<StepKernel<double>> TopkFamilyArchitecture::reference_kernel_f64(const ArchConfig& c, int64_t max_batch) const {
  return std::make_unique<TopkKernel<double>>(c, batch_selection_, max_batch);
}

std::unique_ptr<StepKernel<float>> TopkFamilyArchitecture::fast_kernel(const ArchConfig& c, int64_t max_batch,
                                                                       const FastKernelOptions& options) const {
  return make_fast_topk_kernel(c, batch_selection_, max_batch, options, [this, c](int64_t rows) { return reference_kernel(c, rows); });
}

SaelensTensors TopkFamilyArchitecture::to_saelens(const ArchConfig& c, const Params& params) const {
  SaelensTensors t = common_saelens_tensors(c, params);
  add_saelens_vector(t, "b_enc", params.span("b_enc"));
  if (batch_selection_) add_saelens_vector(t, "threshold", params.span("threshold"));
  return t;
}

template void select_top_k_rows<float>(const float*, int64_t, int64_t, int64_t, float*, TopkWorkspace<float>&);
template struct TopkWorkspace<float>;
template struct TopkWorkspace<double>;

}  // namespace saerad
