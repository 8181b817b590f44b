// saerad train — train a sparse autoencoder on embeddings (docs/method.md §2) into an SAE directory.
#include "cli/command.hpp"
#include "core/embeddings.hpp"
#include "core/json_io.hpp"
#include "core/strings.hpp"
#include "sae/architecture.hpp"
#include "sae/trainer.hpp"

namespace saerad::cli {
namespace {

struct TrainArgs {
  std::string embeddings, ids, out;
  TrainOptions options;
};

Registration reg{{
    .name = "train",
    .summary = "Train a sparse autoencoder (gated-hybrid, gated, relu, topk, batchtopk, jumprelu) on embeddings",
    .group = Group::Sae,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<TrainArgs>();
      TrainOptions& o = a->options;
      cmd.add_option("--embeddings", a->embeddings, "Embeddings (.safetensors or .npy [N, d])")->required();
      cmd.add_option("--ids", a->ids, "Ids for a .npy input (one per line)");
      cmd.add_option("--out", a->out, "Output SAE directory")->required();
      cmd.add_option("--arch", o.architecture, "Architecture: " + join(architecture_names(), ", "))->capture_default_str();
      cmd.add_option("--expansion", o.expansion, "Latents = expansion × d")->capture_default_str();
      cmd.add_option("--latents", o.latents, "Number of latents (overrides --expansion)");
      cmd.add_option("--l1", o.l1, "Sparsity coefficient λ (L1; L0 for jumprelu)")->capture_default_str();
      cmd.add_option("--aux-decoder", o.aux_decoder, "gated-hybrid auxiliary decoder: live | frozen")->capture_default_str();
      cmd.add_option("--k", o.k, "topk / batchtopk: active latents per sample")->capture_default_str();
      cmd.add_option("--k-aux", o.k_aux, "AuxK latents (0 = d/2)")->capture_default_str();
      cmd.add_option("--aux-k-coef", o.aux_k_coef, "AuxK coefficient")->capture_default_str();
      cmd.add_option("--jump-bandwidth", o.jump_bandwidth, "jumprelu straight-through bandwidth ε")->capture_default_str();
      cmd.add_option("--jump-init-threshold", o.jump_init_threshold, "jumprelu initial threshold")->capture_default_str();
      cmd.add_option("--threshold-ema", o.threshold_ema, "batchtopk threshold EMA rate")->capture_default_str();
      cmd.add_option("--decoder-init-norm", o.decoder_init_norm, "Initial decoder row norm (unit-norm archs: 1)")->capture_default_str();
      cmd.add_option("--b-dec-init", o.b_dec_init, "zero | mean | geometric-median")->capture_default_str();
      cmd.add_flag("!--no-input-scaling", o.scale_inputs, "Do not scale inputs to mean norm √d");
      cmd.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
      cmd.add_option("--adam-beta1", o.beta1, "Adam β1")->capture_default_str();
      cmd.add_option("--adam-beta2", o.beta2, "Adam β2")->capture_default_str();
      cmd.add_option("--adam-eps", o.adam_eps, "Adam ε")->capture_default_str();
      cmd.add_option("--batch", o.batch, "Batch size (capped at the training-set size)")->capture_default_str();
      cmd.add_option("--epochs", o.epochs, "Passes over the training split (when --steps is 0)")->capture_default_str();
      cmd.add_option("--steps", o.steps, "Optimizer steps (overrides --epochs)")->capture_default_str();
      cmd.add_option("--l1-warmup", o.l1_warmup, "Fraction of steps of linear λ warmup")->capture_default_str();
      cmd.add_option("--lr-warmup", o.lr_warmup, "Fraction of steps of linear lr warmup")->capture_default_str();
      cmd.add_option("--lr-decay", o.lr_decay, "Final fraction of steps of linear lr decay to 0")->capture_default_str();
      cmd.add_option("--grad-clip", o.grad_clip, "Global gradient-norm clip (0 = off)")->capture_default_str();
      cmd.add_option("--holdout", o.holdout, "Fraction held out for the final metrics")->capture_default_str();
      cmd.add_option("--seed", o.seed, "Random seed (init, split, shuffling)")->capture_default_str();
      cmd.add_option("--dead-window", o.dead_window, "Samples without firing that make a latent dead (0 = min(10M, N))")
          ->capture_default_str();
      cmd.add_option("--checkpoint-every", o.checkpoint_every, "Steps between checkpoints")->capture_default_str();
      cmd.add_option("--log-every", o.log_every, "Steps between training_log.jsonl lines (0 = ~200 lines)")->capture_default_str();
      cmd.add_option("--kernel", o.kernel, "Step kernel: auto (fast where the architecture has one), fast, reference")
          ->capture_default_str();
      cmd.add_option("--encoder", o.encoder,
                     "Fast kernel's encoder product: auto (bf16 screen + float32 re-check on CPUs with AVX512-BF16), bf16, fp32")
          ->capture_default_str();
      cmd.add_flag("--resume", o.resume, "Continue from OUT/checkpoint (same options) to bit-identical weights");
      cmd.add_flag("--overwrite", o.overwrite, "Start afresh even if OUT holds a checkpoint");
      cmd.add_flag("!--no-plots", o.plots, "Skip the SVG plots");
      cmd.add_option("--stop-after-steps", o.stop_after_steps, "Stop (checkpointed) after this many steps; --resume continues");
      return [a] {
        a->options.out_dir = a->out;
        const Embeddings data = read_embeddings(a->embeddings, a->ids);
        const TrainResult result = train_sae(data, a->options);
        if (json_output()) print_json({{"dir", result.dir.string()}, {"finished", result.finished}, {"metrics", result.metrics}});
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
