// The fast step kernel of the top-k family (topk, batchtopk): the math of topk_forward_backward
// (topk_common.hpp) over the selected latents only. An entry is a latent kept by the main selection and/or
// by AuxK's selection among dead latents:  value = z if kept else 0,  aux_value = z if in AuxK else 0,  pre = z.
// Per-row top-k keeps a k-slot heap while scanning the tile row; batchtopk keeps every z above a running
// threshold τ and, every 64 rows, prunes the candidates to the batch's B·k best (exact: a later entry equal
// to τ has a larger flat index than the B·k kept ones, so it could not win a tie).
#include <algorithm>
#include <limits>

#include "sae/dense_ops.hpp"
#include "sae/fast_kernel.hpp"

namespace saerad {

namespace {

struct Candidate {
  float z;
  int32_t latent;
};
struct FlatCandidate {
  float z;
  int64_t flat;  // b · m + latent
};
// Ties to the lower index, as dense::top_k_positive.
inline bool better(const Candidate& a, const Candidate& b) { return a.z > b.z || (a.z == b.z && a.latent < b.latent); }

// Keeps the k best positive candidates offered in any order (heap top = the worst kept).
class TopKeeper {
 public:
  void reset(int64_t k) {
    k_ = size_t(k);
    heap_.clear();
  }
  void offer(float z, int32_t latent) {
    if (!(z > 0.0f)) return;
    if (heap_.size() < k_) {
      heap_.push_back({z, latent});
      std::push_heap(heap_.begin(), heap_.end(), better);
    } else if (k_ > 0 && better({z, latent}, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = {z, latent};
      std::push_heap(heap_.begin(), heap_.end(), better);
    }
  }
  // Below this a candidate cannot enter (−∞ while there is room, +∞ when k = 0).
  float floor() const {
    if (k_ == 0) return std::numeric_limits<float>::infinity();
    return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().z;
  }
  std::vector<Candidate>& sorted_by_latent() {
    std::sort(heap_.begin(), heap_.end(), [](const Candidate& a, const Candidate& b) { return a.latent < b.latent; });
    return heap_;
  }

 private:
  size_t k_ = 0;
  std::vector<Candidate> heap_;
};

class TopkSelector final : public sparse::RowSelector {
 public:
  const float* b_enc = nullptr;
  const uint8_t* dead = nullptr;  // null: no AuxK this step
  int64_t m = 0, k = 0, k_aux = 0;
  bool batch_selection = false;
  float tau = 0.0f;  // batchtopk: candidates must exceed it
  int64_t batch_keep = 0;  // batchtopk: B·k
  std::vector<float>* pool = nullptr;          // batchtopk scratch (the kernel's: no allocation per step)
  std::vector<FlatCandidate>* flat = nullptr;

  // u: [m] → z = u + b_enc; entries = (top-k | candidates above τ) ∪ AuxK's top-k_aux among dead latents
  void select(int64_t, const float* u, std::vector<sparse::Entry>& out) const override {
    select_over([&](auto&& visit) {
      for (int64_t i = 0; i < m; ++i) visit(int32_t(i), u[i]);
    }, out);
  }
  // The bf16 screen lists every latent that can be among the row's top k (or the batch's B·k) with its u.
  void select_listed(int64_t, const sparse::ScreenedPre* listed, int64_t n, std::vector<sparse::Entry>& out) const override {
    select_over([&](auto&& visit) {
      for (int64_t q = 0; q < n; ++q) visit(listed[q].latent, listed[q].u);
    }, out);
  }
  // The main selection's rule, and AuxK's top-k_aux among dead latents as the request's aux part.
  sparse::ScreenRequest screen_request(float* bias) const override {
    const int64_t keep = batch_selection ? batch_keep : k;
    if (keep <= 0) return {};
    std::copy(b_enc, b_enc + m, bias);
    return {.rule = batch_selection ? sparse::ScreenRule::BatchTopK : sparse::ScreenRule::RowTopK,
            .per_latent = bias,
            .k = keep,
            .aux_latents = dead,
            .aux_k = dead ? k_aux : 0};
  }

 private:
  // for_each(visit) calls visit(latent, u) for the row's latents in ascending order.
  template <class ForEach>
  void select_over(ForEach for_each, std::vector<sparse::Entry>& out) const {
    thread_local TopKeeper top, aux;
    thread_local std::vector<Candidate> above;
    top.reset(k);
    aux.reset(dead ? k_aux : 0);
    above.clear();
    for_each([&](int32_t i, float u) {
      const float z = u + b_enc[i];
      if (batch_selection) {
        if (z > tau && z > 0.0f) above.push_back({z, i});
      } else if (z >= top.floor()) {
        top.offer(z, i);
      }
      if (dead && dead[i] && z >= aux.floor()) aux.offer(z, i);
    });
    const std::vector<Candidate>& kept = batch_selection ? above : top.sorted_by_latent();
    const std::vector<Candidate>& in_aux = aux.sorted_by_latent();
    size_t a = 0, c = 0;  // merge the two latent-sorted lists
    while (a < kept.size() || c < in_aux.size()) {
      if (c == in_aux.size() || (a < kept.size() && kept[a].latent < in_aux[c].latent))
        out.push_back({kept[a].latent, kept[a].z, 0.0f, kept[a].z}), ++a;
      else if (a == kept.size() || in_aux[c].latent < kept[a].latent)
        out.push_back({in_aux[c].latent, 0.0f, in_aux[c].z, in_aux[c].z}), ++c;
      else
        out.push_back({kept[a].latent, kept[a].z, in_aux[c].z, kept[a].z}), ++a, ++c;
    }
  }

 public:
  // batchtopk prunes every 64 rows: at a random init half of all z are positive, and a whole tile of
  // candidates would be [tile_rows · m / 2] entries.
  int64_t rows_per_pass() const override { return batch_selection ? 64 : std::numeric_limits<int64_t>::max(); }
  // batchtopk: once the candidates exceed 2·B·k, raise τ to the B·k-th best value and drop what is below.
  void after_rows(sparse::SparseBatch& batch, int64_t rows_done) override {
    if (!batch_selection) return;
    pool->clear();
    for (int64_t b = 0; b < rows_done; ++b)
      for (const auto& e : batch.row_entries[size_t(b)])
        if (e.value > 0.0f) pool->push_back(e.value);
    if (int64_t(pool->size()) <= 2 * batch_keep) return;
    std::nth_element(pool->begin(), pool->begin() + (batch_keep - 1), pool->end(), std::greater<float>());
    tau = (*pool)[size_t(batch_keep - 1)];
    drop_unselected(batch, rows_done, [this](float v, int64_t) { return v >= tau; });
  }

  // batchtopk, after the last tile: keep exactly the B·k best candidates (ties to the lower flat index).
  void finish(sparse::SparseBatch& batch) {
    if (!batch_selection) return;
    std::vector<FlatCandidate>& candidates = *flat;
    candidates.clear();
    for (int64_t b = 0; b < batch.rows; ++b)
      for (const auto& e : batch.row_entries[size_t(b)])
        if (e.value > 0.0f) candidates.push_back({e.value, b * m + e.latent});
    if (int64_t(candidates.size()) <= batch_keep) return;
    const auto flat_better = [](const FlatCandidate& x, const FlatCandidate& y) {
      return x.z > y.z || (x.z == y.z && x.flat < y.flat);
    };
    std::nth_element(candidates.begin(), candidates.begin() + (batch_keep - 1), candidates.end(), flat_better);
    const FlatCandidate last = candidates[size_t(batch_keep - 1)];
    drop_unselected(batch, batch.rows, [last](float v, int64_t position) { return v > last.z || (v == last.z && position <= last.flat); });
  }

 private:
  // Clears `value` of the candidates keep() rejects; entries left with no role are removed.
  template <class Keep>
  void drop_unselected(sparse::SparseBatch& batch, int64_t rows, Keep keep) const {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < rows; ++b) {
      auto& row = batch.row_entries[size_t(b)];
      for (auto& e : row)
        if (e.value > 0.0f && !keep(e.value, b * m + e.latent)) e.value = 0.0f;
      row.erase(std::remove_if(row.begin(), row.end(), [](const sparse::Entry& e) { return e.value == 0.0f && e.aux_value == 0.0f; }),
                row.end());
    }
  }
};

class FastTopkKernel final : public FastKernel {
 public:
  FastTopkKernel(const ArchConfig& config, bool batch_selection, int64_t max_batch, const FastKernelOptions& options,
                 ReferenceFactory make_reference)
      : FastKernel(config, max_batch, options, std::move(make_reference)), batch_selection_(batch_selection) {
    for (auto* v : {&xt_, &xhat_, &dxhat_, &residual_, &ehat_, &dehat_, &dxt_}) v->resize(size_t(max_batch * d_));
  }

 protected:
  bool sparse_step(const Params& p, const float* x, int64_t B, const StepContext<float>& ctx, Params& grad,
                   StepOutputs<float>& out) override {
    const int64_t d = d_, m = m_;
    const float* W_enc = p.get("W_enc");
    const float* W_dec = p.get("W_dec");
    const float* b_dec = p.get("b_dec");
    bool any_dead = false;
    if (ctx.dead)
      for (int64_t i = 0; i < m && !any_dead; ++i) any_dead = ctx.dead[i] != 0;

    // ---- forward: encoder GEMM tiles → selected latents (+ AuxK's) ----
    sparse::subtract_bias(x, B, d, b_dec, xt_.data());
    TopkSelector selector;
    selector.b_enc = p.get("b_enc");
    selector.dead = any_dead ? ctx.dead : nullptr;
    selector.m = m;
    selector.k = config_.k;
    selector.k_aux = config_.effective_k_aux();
    selector.batch_selection = batch_selection_;
    selector.batch_keep = B * config_.k;
    selector.pool = &pool_;
    selector.flat = &flat_;
    // Entries are bounded by B·(k + k_aux) (+ batchtopk's candidates, pruned per tile): never too dense.
    sparse::encode_and_select(xt_.data(), B, d, W_enc, m, tiles_, selector, std::numeric_limits<int64_t>::max(), batch_);
    selector.finish(batch_);
    sparse::pack_rows(batch_);
    const int64_t nnz = batch_.nnz();
    const sparse::Entry* entries = batch_.entries.data();

    sparse::decode(batch_, sparse::Activation::Value, W_dec, d, b_dec, xhat_.data());  // x̂: [B, d]
    double variance = dense::total_variance(x, B, d);
    if (!(variance > 0)) variance = 1;  // a batch of identical rows: the plain sum (as the reference)
    const double recon = sparse::squared_error(xhat_.data(), x, B, d, float(2.0 / variance), dxhat_.data(), row_partial_);
    out.stats.mse = recon / double(B);
    out.stats.sparsity = 0;

    // ---- AuxK: the dead latents' top-k_aux reconstruct the residual (no b_dec) ----
    double aux = 0;
    if (any_dead) {
      if (ctx.aux_residual)
        std::copy(ctx.aux_residual, ctx.aux_residual + B * d, residual_.begin());
      else
        for (int64_t q = 0; q < B * d; ++q) residual_[size_t(q)] = x[q] - xhat_[size_t(q)];
      sparse::decode(batch_, sparse::Activation::Aux, W_dec, d, nullptr, ehat_.data());  // ê: [B, d]
      double residual_variance = dense::total_variance(residual_.data(), B, d);
      if (!(residual_variance > 0)) residual_variance = 1;
      const double sq = sparse::squared_error(ehat_.data(), residual_.data(), B, d,
                                              float(2.0 * config_.aux_k_coef / residual_variance), dehat_.data(), row_partial_);
      aux = config_.aux_k_coef * sq / residual_variance;
    }
    out.stats.aux = aux;
    out.stats.loss = recon / variance + aux;

    // ---- backward ----
    sparse::decoder_dots(batch_, sparse::Activation::Value, dxhat_.data(), W_dec, d, false);
    if (any_dead) sparse::decoder_dots(batch_, sparse::Activation::Aux, dehat_.data(), W_dec, d, false);
#pragma omp parallel for schedule(static)
    for (int64_t e = 0; e < nnz; ++e)  // ∂L/∂z through the kept latents and AuxK's
      batch_.d_pre[size_t(e)] = (entries[e].value != 0.0f ? batch_.g_value[size_t(e)] : 0.0f) +
                                (any_dead && entries[e].aux_value != 0.0f ? batch_.g_aux[size_t(e)] : 0.0f);
    sparse::build_transpose(batch_, m);
    out.stats.l0 = sparse::summarize(batch_, m, out);
    float* g_b_enc = grad.get("b_enc");
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < m; ++i) {
      float s = 0;
      for (int64_t q = batch_.latent_start[size_t(i)]; q < batch_.latent_start[size_t(i + 1)]; ++q)
        s += batch_.d_pre[size_t(batch_.by_latent[size_t(q)])];
      g_b_enc[i] = s;
    }
    sparse::weight_gradients(batch_, m, d, xt_.data(), dxhat_.data(), any_dead ? dehat_.data() : nullptr, W_dec, nullptr,
                             grad.get("W_enc"), grad.get("W_dec"));
    sparse::input_gradient(batch_, W_enc, d, -1.0f, dxt_.data());  // −∂L/∂x̃
    float* g_b_dec = grad.get("b_dec");
    sparse::column_sums(dxhat_.data(), B, d, g_b_dec, false);
    sparse::column_sums(dxt_.data(), B, d, g_b_dec, true);
    if (p.has("threshold")) {  // buffers get no gradient
      std::fill_n(grad.get("threshold"), m, 0.0f);
      grad.get("threshold_initialized")[0] = 0.0f;
    }
    return true;
  }

 private:
  bool batch_selection_;
  std::vector<float> xt_, xhat_, dxhat_, residual_, ehat_, dehat_, dxt_;  // [B, d]
  std::vector<float> pool_;          // batchtopk: candidate values
  std::vector<FlatCandidate> flat_;  // batchtopk: candidates by flat index
};

}  // namespace

std::unique_ptr<StepKernel<float>> make_fast_topk_kernel(const ArchConfig& config, bool batch_selection, int64_t max_batch,
                                                         const FastKernelOptions& options, ReferenceFactory make_reference) {
  return std::make_unique<FastTopkKernel>(config, batch_selection, max_batch, options, std::move(make_reference));
}

}  // namespace saerad
