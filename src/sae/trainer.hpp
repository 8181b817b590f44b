#pragma once
// Training an SAE on embeddings (docs/method.md §2): input scaling to mean norm √d, the architecture's
// loss through a step kernel, global-norm clipping, dense Adam, λ warmup, linear lr-decay tail, seeded
// shuffling, a held-out split, dead-latent tracking, checkpoints + exact resume, metrics, log, plots, and the
// folded export (docs/formats.md "SAE directory"). Deterministic for a seed and a thread count.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/embeddings.hpp"
#include "core/json_io.hpp"

namespace saerad {

struct TrainOptions {
  std::filesystem::path out_dir;          // the SAE directory (created)
  std::string architecture = "gated-hybrid";  // gated-hybrid | gated | relu | topk | batchtopk | jumprelu
  // Size: d_sae = latents if > 0, else expansion × d.
  int64_t expansion = 64;
  int64_t latents = 0;
  // Loss
  double l1 = 5.0;                        // λ: L1 (gated-hybrid, gated, relu) or L0 (jumprelu) coefficient
  std::string aux_decoder = "live";       // gated-hybrid: live | frozen
  int64_t k = 32;                         // topk / batchtopk
  int64_t k_aux = 0;                      // AuxK latents (0 = d/2)
  double aux_k_coef = 1.0 / 32.0;
  double jump_bandwidth = 0.001;          // jumprelu ε
  double jump_init_threshold = 0.001;     // jumprelu initial θ
  double threshold_ema = 0.99;            // batchtopk
  double decoder_init_norm = 0.1;         // unit-norm archs (gated, topk, batchtopk) start at 1
  std::string b_dec_init = "zero";        // zero | mean | geometric-median
  bool scale_inputs = true;               // scale so the mean ‖x‖ over the training split is √d
  // Optimisation
  double lr = 5e-5;
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  int64_t batch = 4096;                   // capped at the training-set size
  double epochs = 10;                     // used when steps == 0
  int64_t steps = 0;                      // total optimizer steps (0: epochs × N_train / batch, rounded up)
  double l1_warmup = 0.05;                // fraction of steps over which λ ramps linearly from 0
  double lr_warmup = 0.0;                 // fraction of steps of linear lr warmup (0: none)
  double lr_decay = 0.2;                  // final fraction of steps over which lr decays linearly to 0
  double grad_clip = 1.0;                 // global-norm clip (≤ 0: off)
  // Data, bookkeeping
  double holdout = 0.05;                  // fraction held out for the final metrics (0: evaluate on train)
  uint64_t seed = 0;
  int64_t dead_window = 0;                // samples without firing that make a latent dead (0: min(10M, N_train))
  int64_t checkpoint_every = 1000;        // steps (≤ 0: only at the end)
  int64_t log_every = 0;                  // steps between training_log lines (0: about 200 lines per run)
  bool resume = false;                    // continue from out_dir/checkpoint
  bool overwrite = false;                 // start afresh even where out_dir holds a checkpoint
  bool plots = true;                      // loss / L0 / density SVGs in out_dir
  std::string kernel = "auto";            // step kernel: auto | fast | reference (architecture.hpp KernelChoice);
                                          // not part of the trajectory options: fast and reference agree to
                                          // float rounding (tests/sae/test_fast_kernels.cpp)
  std::string encoder = "auto";           // fast kernel's encoder product: auto | bf16 | fp32 (EncoderPrecision)
  double fast_max_density = 0;            // fast kernel: steps with more active entries than this fraction of
                                          // batch × latents run on the reference (0: 0.05 with the bf16 screen,
                                          // 0.025 with float32 tiles; FastKernelOptions::max_density)
  int64_t stop_after_steps = 0;           // > 0: stop (after checkpointing) once this many steps are done;
                                          // a later resume continues to the full schedule
};

struct TrainResult {
  std::filesystem::path dir;  // the SAE directory
  Json metrics;               // metrics.json's content
  bool finished = true;       // false when stopped early by stop_after_steps
};

// Trains and writes the SAE directory. Errors (InputError) for: fewer than 2 embeddings, non-finite values
// (naming the row), an unknown architecture or option value, a checkpoint that does not match the options.
TrainResult train_sae(const Embeddings& data, const TrainOptions& options);

// The options as JSON (cfg.json's hyper-parameters; also what a checkpoint must match to resume).
Json train_options_json(const TrainOptions& options);

}  // namespace saerad
