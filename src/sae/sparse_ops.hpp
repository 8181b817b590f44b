#pragma once
// Sparse building blocks of the fast SAE step kernels (issue 4). After the one dense operation, the encoder
// product (the bf16 screen of bf16_screen.hpp with float32 re-computation of what may pass, or float32 GEMM row
// tiles; the B × m pre-activation matrix is never held whole), a batch is a CSR list of entries per row: the
// latents that are active (or that an auxiliary / straight-through term needs). Every other product of the step
// touches only those entries:
//   decoder forward      x̂_b   = Σ_e value_e · W_dec[i_e] (+ b_dec)            gather rows of W_dec
//   decoder-side dots    g_e   = ∂L/∂x̂_b · W_dec[i_e]                          one d-long dot per entry
//   weight gradients     ∂W_enc[i] = Σ_e d_pre_e · x_in[b_e],  ∂W_dec[i] = Σ_e value_e · ∂L/∂x̂[b_e] + …
//                        (by latent, through the CSC transpose: each row of the gradient has one writer)
//   input gradient       ∂L/∂x_in[b] = Σ_e d_pre_e · W_enc[i_e]                  gather rows of W_enc
// Rows are processed in parallel (OpenMP); results do not depend on the thread count except through the
// float32 encoder sgemm (OpenBLAS) or whether a top-k screen stays within its memory guard (bf16_screen.hpp),
// so a fixed seed and thread count give bit-identical steps.
#include <cstdint>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "sae/architecture.hpp"
#include "sae/bf16_screen.hpp"

namespace saerad::sparse {

// One latent of one row, as selected by an architecture's rule.
struct Entry {
  int32_t latent = 0;
  float value = 0;      // activation feeding the main decoder (0: the entry only serves another term)
  float aux_value = 0;  // activation feeding the auxiliary decoder (gate path a, AuxK f_aux; 0: none)
  float pre = 0;        // the latent's pre-activation (u, z or π: whatever the backward pass needs)
};

// CSR over the rows of a batch (rows ascending, latents ascending within a row) plus its CSC transpose.
// Buffers only grow (amortised): no allocation in the steady state of training.
struct SparseBatch {
  int64_t rows = 0;
  std::vector<int64_t> row_start;     // [B + 1]
  std::vector<Entry> entries;         // [nnz]
  std::vector<float> g_value;         // [nnz] ∂L/∂value_e  (dot of the row's ∂L/∂x̂ with W_dec[i_e])
  std::vector<float> g_aux;           // [nnz] ∂L/∂aux_value_e (dot with the auxiliary decoder row)
  std::vector<float> d_pre;           // [nnz] ∂L/∂pre_e (set by the architecture)
  std::vector<int64_t> latent_start;  // [m + 1] CSC
  std::vector<int64_t> by_latent;     // [nnz] entry ids, rows ascending within a latent
  std::vector<int32_t> by_latent_row; // [nnz] the row of each by_latent entry
  std::vector<int64_t> fill;          // [m] counting-sort cursors
  std::vector<std::vector<Entry>> row_entries;  // [B] per-row selection buffers (filled in parallel)
  int64_t nnz() const { return rows > 0 ? row_start[size_t(rows)] : 0; }
};

// Selects the entries of one row from its pre-activation row u: [m] (appends to out, latents ascending).
struct RowSelector {
  virtual ~RowSelector() = default;
  // Called for the rows of one tile in parallel: must only touch `out` (and read-only state).
  virtual void select(int64_t row, const float* u, std::vector<Entry>& out) const = 0;
  // Called (serially) after each pass over rows, with the rows [0, rows_done) selected so far: a selection
  // over the whole batch (batchtopk) prunes candidates here.
  virtual void after_rows(SparseBatch& /*batch*/, int64_t /*rows_done*/) {}
  // Rows selected in parallel between two after_rows calls (a whole tile unless the selector prunes).
  virtual int64_t rows_per_pass() const { return std::numeric_limits<int64_t>::max(); }
  // For the bf16 screen (bf16_screen.hpp): what may be selected, with the per-latent values written to
  // per_latent [m]; rule None (the default) when the selection needs every u of a row.
  virtual ScreenRequest screen_request(float* /*per_latent*/) const { return {}; }
  // The row's entries when only the listed latents (ascending, float32 u) can be selected (screen_request).
  virtual void select_listed(int64_t /*row*/, const ScreenedPre* /*listed*/, int64_t /*n*/, std::vector<Entry>& /*out*/) const {
    fail("an SAE selector asked for the bf16 screen but cannot select from its candidates");
  }
};

// A selection that decides each latent on its own pre-activation (the gated and threshold architectures):
// Derived::consider(i, u_i, out) appends latent i's entry if it has one, Derived::m is the latent count.
template <class Derived>
struct ElementwiseSelector : RowSelector {
  void select(int64_t, const float* u, std::vector<Entry>& out) const final {
    const auto& self = static_cast<const Derived&>(*this);
    for (int64_t i = 0; i < self.m; ++i) self.consider(i, u[i], out);
  }
  void select_listed(int64_t, const ScreenedPre* listed, int64_t n, std::vector<Entry>& out) const final {
    const auto& self = static_cast<const Derived&>(*this);
    for (int64_t k = 0; k < n; ++k) self.consider(listed[k].latent, listed[k].u, out);
  }
};

// Workspace of the encoder: the bf16 screen where the CPU has it and the selector allows (bf16_screen.hpp), else
// float32 GEMM tiles of [tile_rows, m] pre-activations (allocated on first use).
struct EncoderTiles {
  int64_t tile_rows = 0;
  bool screened = false;      // the bf16 screen is used when the selector allows
  Bf16Screen screen;
  std::vector<float> per_latent;  // [m] the selector's screen thresholds or biases
  std::vector<float> tile;    // [tile_rows, m]
  double gemm_seconds = 0, select_seconds = 0;  // of the last encode_and_select (the bench's breakdown)
  bool last_screened = false;                   // the last encode_and_select used the screen
  // precision: FastKernelOptions::encoder (Auto: the screen where bf16_screen_supported()).
  void reserve(int64_t max_batch, int64_t d, int64_t m, int64_t tile_rows_wanted, EncoderPrecision precision);
  int64_t workspace_bytes() const;
};

// x_in: [B, d], W_enc: [m, d] → per row b, the selector's entries of u_b = x_in W_encᵀ into batch.row_entries:
// through the bf16 screen (the selector sees only the latents that may pass, with float32 u), or float32 tiles
// (cblas_sgemm per tile; rows of a tile selected in parallel). Stops early and returns false once more than
// max_entries entries were selected (the caller falls back to a dense path).
bool encode_and_select(const float* x_in, int64_t B, int64_t d, const float* W_enc, int64_t m, EncoderTiles& tiles,
                       RowSelector& selector, int64_t max_entries, SparseBatch& batch);

// batch.row_entries → CSR (row_start, entries; gradient arrays sized to nnz).
void pack_rows(SparseBatch& batch);
// CSR → CSC over m latents (counting sort: rows stay ascending within a latent).
void build_transpose(SparseBatch& batch, int64_t m);

enum class Activation { Value, Aux };

// Σ_j x[j] · y[j] in 16 fixed lanes (the same summation order on every CPU).
float dot(const float* x, const float* y, int64_t n);

// x̂: [B, d] = Σ_e act_e · W[i_e] + bias (bias: [d] or null), W: [m, d]; act = value or aux_value.
void decode(const SparseBatch& batch, Activation act, const float* W, int64_t d, const float* bias, float* out);

// g_e = dY[b_e] · W[i_e] for the entries whose `act` is non-zero (all entries when all_entries), else 0.
// dY: [B, d], W: [m, d] → batch.g_value (act = Value) or batch.g_aux (act = Aux).
void decoder_dots(SparseBatch& batch, Activation act, const float* dY, const float* W, int64_t d, bool all_entries);

// Both decoders of an entry list in one pass (the gated family's x̂ and x̂_aux): with W_aux == W each decoder
// row is read once. out = Σ value · W[i] + bias, out_aux = Σ aux_value · W_aux[i] + bias_aux (biases: [d]).
void decode_both(const SparseBatch& batch, const float* W, const float* bias, float* out, const float* W_aux,
                 const float* bias_aux, float* out_aux, int64_t d);
// decoder_dots for Value (entries with value ≠ 0) and Aux (every entry) in one pass: one read of W[i] when W_aux == W.
void decoder_dots_both(SparseBatch& batch, const float* dY, const float* W, const float* dY_aux, const float* W_aux, int64_t d);

// Per-latent weight gradients through the CSC, every row of both outputs written (zero for idle latents):
//   g_W_enc[i] = Σ_e d_pre_e · x_in[b_e]
//   g_W_dec[i] = Σ_e value_e · dxhat[b_e] + Σ_e aux_value_e · dxaux[b_e] (dxaux may be null)
//                + decoder_scale[i] · W_dec[i]  (decoder_scale may be null; the norm-weighted penalty)
// x_in, dxhat, dxaux: [B, d]; W_dec, g_W_enc, g_W_dec: [m, d].
void weight_gradients(const SparseBatch& batch, int64_t m, int64_t d, const float* x_in, const float* dxhat,
                      const float* dxaux, const float* W_dec, const float* decoder_scale, float* g_W_enc, float* g_W_dec);

// dx: [B, d] = scale · Σ_e d_pre_e · W_enc[i_e]  (∂L/∂x_in through the encoder; scale −1 gives ∂L/∂b_dec's share).
void input_gradient(const SparseBatch& batch, const float* W_enc, int64_t d, float scale, float* dx);

// out.fired / out.min_active over the entries with value > 0; returns L0 (mean count per row).
double summarize(const SparseBatch& batch, int64_t m, StepOutputs<float>& out);

// W: [m, d] → norms: [m], each row in double like dense::row_norms (bit-identical), rows in parallel.
void row_norms(const float* W, int64_t m, int64_t d, float* norms);
// x: [B, d], b: [d] → out = x − b (parallel).
void subtract_bias(const float* x, int64_t B, int64_t d, const float* b, float* out);
// Σ_b dY[b, :] (accumulate into db when accumulate): column sums in double, rows in order (deterministic).
void column_sums(const float* dY, int64_t B, int64_t n, float* db, bool accumulate);

// pred, target: [B, d] → grad = scale · (pred − target); returns Σ (pred − target)² (double, per-row partial sums
// added in row order: deterministic). row_partial: scratch of at least B.
double squared_error(const float* pred, const float* target, int64_t B, int64_t d, float scale, float* grad,
                     std::vector<double>& row_partial);

}  // namespace saerad::sparse
