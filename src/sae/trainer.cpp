#include "sae/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/safetensors.hpp"
#include "core/strings.hpp"
#include "core/threads.hpp"
#include "sae/architecture.hpp"
#include "sae/checkpoint.hpp"
#include "sae/sae_export.hpp"
#include "sae/sae_metrics.hpp"
#include "sae/training_data.hpp"
#include "sae/training_plots.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

ArchConfig make_arch_config(const TrainOptions& o, int64_t d) {
  ArchConfig c;
  c.architecture = o.architecture;
  c.d_in = d;
  c.d_sae = o.latents > 0 ? o.latents : o.expansion * d;
  if (o.aux_decoder == "live")
    c.aux_decoder = AuxDecoder::Live;
  else if (o.aux_decoder == "frozen")
    c.aux_decoder = AuxDecoder::Frozen;
  else
    fail_input("--aux-decoder must be live or frozen, not '{}'", o.aux_decoder);
  c.k = o.k;
  c.k_aux = o.k_aux;
  c.aux_k_coef = o.aux_k_coef;
  c.jump_bandwidth = o.jump_bandwidth;
  c.jump_init_threshold = o.jump_init_threshold;
  c.threshold_ema = o.threshold_ema;
  c.decoder_init_norm = o.decoder_init_norm;
  return c;
}

void validate_options(const TrainOptions& o, const ArchConfig& c) {
  if (o.out_dir.empty()) fail_input("train: no output directory (--out)");
  if (c.d_sae <= 0) fail_input("train: the SAE needs at least one latent (--expansion {} --latents {})", o.expansion, o.latents);
  if (o.batch <= 0) fail_input("--batch must be positive, not {}", o.batch);
  if (o.steps < 0 || (o.steps == 0 && !(o.epochs > 0))) fail_input("give a positive --steps or --epochs");
  if (!(o.lr > 0)) fail_input("--lr must be positive, not {}", o.lr);
  if (o.l1 < 0) fail_input("--l1 must not be negative, not {}", o.l1);
  if (!(o.holdout >= 0 && o.holdout < 1)) fail_input("--holdout must be in [0, 1), not {}", o.holdout);
  if ((o.architecture == "topk" || o.architecture == "batchtopk") && (o.k <= 0 || o.k > c.d_sae))
    fail_input("--k must be in [1, {}] (the number of latents), not {}", c.d_sae, o.k);
  if (o.architecture == "jumprelu" && !(o.jump_bandwidth > 0 && o.jump_init_threshold > 0))
    fail_input("jumprelu needs a positive --jump-bandwidth and --jump-init-threshold");
  if (!(o.lr_decay >= 0 && o.lr_decay <= 1 && o.lr_warmup >= 0 && o.lr_warmup <= 1 && o.l1_warmup >= 0 && o.l1_warmup <= 1))
    fail_input("--lr-decay, --lr-warmup and --l1-warmup are fractions of the run in [0, 1]");
  if (o.b_dec_init != "zero" && o.b_dec_init != "mean" && o.b_dec_init != "geometric-median")
    fail_input("--b-dec-init must be zero, mean or geometric-median, not '{}'", o.b_dec_init);
}

// Linear ramp of λ over the first l1_warmup of the steps (step is 0-based: the first step uses 1/W).
double lambda_at(int64_t step, int64_t total, const TrainOptions& o) {
  const double warm = std::floor(o.l1_warmup * double(total));
  return warm >= 1 ? o.l1 * std::min(1.0, double(step + 1) / warm) : o.l1;
}

// Optional linear warmup, constant, then linear decay to 0 over the last lr_decay of the steps.
double lr_at(int64_t step, int64_t total, const TrainOptions& o) {
  double lr = o.lr;
  const double warm = std::floor(o.lr_warmup * double(total));
  if (warm >= 1 && double(step) < warm) lr *= double(step + 1) / warm;
  const double decay = std::floor(o.lr_decay * double(total));
  const double decay_start = double(total) - decay;
  if (decay >= 1 && double(step) >= decay_start) lr *= (double(total) - double(step)) / decay;
  return lr;
}

// Appends one JSON object per line; on resume keeps only the lines up to the checkpoint's step.
class TrainingLog {
 public:
  TrainingLog(const fs::path& path, int64_t resume_step) : path_(path) {
    std::string kept;
    if (resume_step > 0 && fs::exists(path)) {
      for (const auto& line : split(read_text_file(path), '\n')) {
        if (trim(line).empty()) continue;
        Json entry = Json::parse(line, nullptr, false);
        if (entry.is_discarded() || entry.value("step", int64_t(0)) > resume_step) continue;
        entries_.push_back(entry);
        kept += line + "\n";
      }
    }
    write_file_atomic(path, kept);
    file_ = std::fopen(path.c_str(), "ab");
    if (!file_) fail("{}: cannot open for appending", path);
  }
  ~TrainingLog() {
    if (file_) std::fclose(file_);
  }
  void append(const Json& entry) {
    const std::string line = entry.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
    entries_.push_back(entry);
  }
  const std::vector<Json>& entries() const { return entries_; }

 private:
  fs::path path_;
  std::FILE* file_ = nullptr;
  std::vector<Json> entries_;
};

// Means of the step statistics since the last log line.
struct LogWindow {
  double loss = 0, mse = 0, sparsity = 0, aux = 0, l0 = 0;
  int64_t steps = 0;
  void add(const StepStats& s) {
    loss += s.loss, mse += s.mse, sparsity += s.sparsity, aux += s.aux, l0 += s.l0;
    ++steps;
  }
};

double dead_fraction(const std::vector<int64_t>& samples_since_fired, int64_t window) {
  int64_t dead = 0;
  for (int64_t s : samples_since_fired) dead += s >= window;
  return samples_since_fired.empty() ? 0.0 : double(dead) / double(samples_since_fired.size());
}

Json saelens_cfg(const Architecture& arch, const ArchConfig& c, const TrainOptions& o, double scale,
                 const Embeddings& data, const std::string& dataset_fingerprint, const Provenance& provenance) {
  Json cfg = train_options_json(o);
  cfg.erase("out_dir");
  cfg.erase("resume");
  cfg.erase("overwrite");
  cfg.erase("stop_after_steps");
  const Json arch_cfg = arch.saelens_config(c);
  for (const auto& [key, value] : arch_cfg.items()) cfg[key] = value;
  cfg["architecture"] = arch.saelens_name();
  cfg["saerad_architecture"] = arch.name();
  cfg["d_in"] = c.d_in;
  cfg["d_sae"] = c.d_sae;
  cfg["dtype"] = "float32";
  cfg["device"] = "cpu";
  cfg["normalize_activations"] = "none";
  cfg["input_scale"] = scale;
  cfg["decoder_norms_folded"] = true;
  cfg["model"] = data.model;
  cfg["model_name"] = data.model.empty() ? "unknown" : data.model;
  cfg["hook_name"] = "pooler_output";
  cfg["context_size"] = 1;
  cfg["prepend_bos"] = false;
  cfg["finetuning_scaling_factor"] = false;
  cfg["activation_fn_str"] = arch.saelens_name() == "topk" ? "topk" : "relu";
  if (!cfg.contains("activation_fn_kwargs")) cfg["activation_fn_kwargs"] = Json::object();
  cfg["dataset_path"] = data.source.string();
  cfg["dataset_fingerprint"] = dataset_fingerprint;
  cfg["provenance"] = provenance.to_json();
  return cfg;
}

}  // namespace

Json train_options_json(const TrainOptions& o) {
  return {{"out_dir", o.out_dir.string()},
          {"train_architecture", o.architecture},
          {"expansion", o.expansion},
          {"latents", o.latents},
          {"l1", o.l1},
          {"aux_decoder", o.aux_decoder},
          {"k", o.k},
          {"k_aux", o.k_aux},
          {"aux_k_coef", o.aux_k_coef},
          {"jump_bandwidth", o.jump_bandwidth},
          {"jump_init_threshold", o.jump_init_threshold},
          {"threshold_ema", o.threshold_ema},
          {"decoder_init_norm", o.decoder_init_norm},
          {"b_dec_init", o.b_dec_init},
          {"scale_inputs", o.scale_inputs},
          {"lr", o.lr},
          {"adam_beta1", o.beta1},
          {"adam_beta2", o.beta2},
          {"adam_eps", o.adam_eps},
          {"batch", o.batch},
          {"epochs", o.epochs},
          {"steps", o.steps},
          {"l1_warmup", o.l1_warmup},
          {"lr_warmup", o.lr_warmup},
          {"lr_decay", o.lr_decay},
          {"grad_clip", o.grad_clip},
          {"holdout", o.holdout},
          {"seed", o.seed},
          {"dead_window", o.dead_window},
          {"checkpoint_every", o.checkpoint_every},
          {"log_every", o.log_every},
          {"resume", o.resume},
          {"overwrite", o.overwrite},
          {"stop_after_steps", o.stop_after_steps}};
}

TrainResult train_sae(const Embeddings& data, const TrainOptions& o) {
  const auto start_time = std::chrono::steady_clock::now();
  const Architecture& arch = architecture(o.architecture);
  const ArchConfig config = make_arch_config(o, data.dim());
  validate_options(o, config);
  (void)parse_kernel_choice(o.kernel);  // a bad --kernel or --encoder fails before any work
  (void)parse_encoder_precision(o.encoder);
  const int64_t d = config.d_in, m = config.d_sae;
  const TrainingSplit split = prepare_training_split(data, o.holdout, o.seed);
  const auto n_train = int64_t(split.train.size());
  const double scale = o.scale_inputs ? input_scale_to_sqrt_d(data.vectors, split.train) : 1.0;
  const int64_t B = std::min(o.batch, n_train);
  const int64_t total_steps = o.steps > 0 ? o.steps : std::max<int64_t>(1, int64_t(std::ceil(o.epochs * double(n_train) / double(B))));
  const int64_t dead_window = o.dead_window > 0 ? o.dead_window : std::min<int64_t>(10'000'000, n_train);
  const int64_t log_every = o.log_every > 0 ? o.log_every : std::max<int64_t>(1, total_steps / 200);
  const std::string dataset_fingerprint = fingerprint_embeddings(data);

  // What a checkpoint must match to be resumed: everything that shapes the trajectory.
  Json trajectory = train_options_json(o);
  for (const char* key : {"out_dir", "resume", "overwrite", "checkpoint_every", "log_every", "stop_after_steps"})
    trajectory.erase(key);
  Json info = {{"options", trajectory}, {"dataset_fingerprint", dataset_fingerprint}, {"d_in", d}, {"d_sae", m},
               {"input_scale", scale}, {"threads", thread_count()}};

  const ParamLayout layout = arch.layout(config);
  TrainingState state;
  state.params = Params(layout);
  if (o.resume && fs::exists(checkpoint_path(o.out_dir))) {
    const Json saved = load_checkpoint(o.out_dir, state);
    for (const char* key : {"dataset_fingerprint", "d_in", "d_sae"})
      if (saved.value(key, Json()) != info[key])
        fail_input("{}: the checkpoint was made with another {} ({} vs now {}); train into a new --out",
                   checkpoint_path(o.out_dir), key, saved.value(key, Json()).dump(), info[key].dump());
    for (const auto& [key, value] : trajectory.items())
      if (saved["options"].value(key, Json()) != value)
        fail_input("{}: the checkpoint was made with {} = {} (now {}); resume with the same options",
                   checkpoint_path(o.out_dir), key, saved["options"].value(key, Json()).dump(), value.dump());
    if (saved.value("threads", 0) != thread_count())
      log_warning(fmt::format("resuming with {} threads (checkpoint: {}): results may differ in the last bits",
                              thread_count(), saved.value("threads", 0)));
    if (int64_t(state.order.size()) != n_train || int64_t(state.samples_since_fired.size()) != m)
      fail_input("{}: checkpoint does not match the data split", checkpoint_path(o.out_dir));
    log_info(fmt::format("resuming {} at step {}/{}", o.out_dir.string(), state.step, total_steps));
  } else {
    if (!o.resume && !o.overwrite && fs::exists(checkpoint_path(o.out_dir)))
      fail_input("{}: holds a training checkpoint; pass --resume to continue it, --overwrite to start afresh, or choose another --out",
                 o.out_dir);
    Rng init_rng = Rng(o.seed).split(2);
    const std::vector<float> b_dec0 = initial_b_dec(o.b_dec_init, data.vectors, split.train, scale);
    arch.init(config, state.params, init_rng, b_dec0.data());
    state.adam.reset(layout.total());
    state.data_rng = Rng(o.seed).split(3);
    state.order = split.train;
    state.data_rng.shuffle(state.order);
    state.samples_since_fired.assign(size_t(m), 0);
  }
  fs::create_directories(o.out_dir);

  // ---- the loop: nothing below allocates per step ----
  std::unique_ptr<StepKernel<float>> kernel = make_step_kernel(arch, config, B, parse_kernel_choice(o.kernel),
                                                                FastKernelOptions{.max_density = o.fast_max_density,
                                                                                  .encoder = parse_encoder_precision(o.encoder)});
  Params grad(layout);
  StepOutputs<float> out;
  out.resize(m);
  std::vector<float> batch(size_t(B * d));
  std::vector<uint8_t> dead(size_t(m), 0);
  const AdamConfig adam{o.beta1, o.beta2, o.adam_eps};
  TrainingLog log(o.out_dir / "training_log.jsonl", state.step);
  LogWindow window;
  Progress progress("train " + arch.name(), total_steps, "steps");
  progress.set_done(state.step);
  auto window_start = std::chrono::steady_clock::now();
  const int64_t stop_at = o.stop_after_steps > 0 ? std::min(o.stop_after_steps, total_steps) : total_steps;
  while (state.step < stop_at) {
    for (int64_t b = 0; b < B; ++b) {
      if (state.position == n_train) {  // next epoch: reshuffle
        state.data_rng.shuffle(state.order);
        state.position = 0;
        ++state.epoch;
      }
      const float* row = data.vectors.row(state.order[size_t(state.position++)]);
      for (int64_t j = 0; j < d; ++j) batch[size_t(b * d + j)] = float(double(row[j]) * scale);
    }
    for (int64_t i = 0; i < m; ++i) dead[size_t(i)] = state.samples_since_fired[size_t(i)] >= dead_window;
    StepContext<float> ctx;
    ctx.lambda = float(lambda_at(state.step, total_steps, o));
    ctx.dead = dead.data();
    kernel->step(state.params, batch.data(), B, ctx, grad, out);
    if (!std::isfinite(out.stats.loss))
      fail("training diverged at step {} (loss {}); lower --lr or check the embeddings", state.step, out.stats.loss);
    arch.project_gradients(config, state.params, grad);
    clip_global_norm(grad, o.grad_clip);
    const double lr = lr_at(state.step, total_steps, o);
    adam_step(state.params, grad, state.adam, lr, adam);
    arch.after_step(config, state.params, out);
    for (int64_t i = 0; i < m; ++i)
      state.samples_since_fired[size_t(i)] = out.fired[size_t(i)] ? 0 : state.samples_since_fired[size_t(i)] + B;
    window.add(out.stats);
    ++state.step;

    if (state.step % log_every == 0 || state.step == total_steps) {
      const auto now = std::chrono::steady_clock::now();
      const double seconds = std::chrono::duration<double>(now - window_start).count();
      const double n = double(window.steps);
      log.append({{"step", state.step}, {"samples", state.step * B}, {"loss", window.loss / n}, {"mse", window.mse / n},
                  {"sparsity_loss", window.sparsity / n}, {"aux_loss", window.aux / n}, {"l0", window.l0 / n},
                  {"lr", lr}, {"lambda", double(ctx.lambda)},
                  {"dead_fraction", dead_fraction(state.samples_since_fired, dead_window)},
                  {"samples_per_s", seconds > 0 ? n * double(B) / seconds : 0.0}, {"epoch", state.epoch}});
      progress.set_status(fmt::format("{:.0f} samples/s  loss {:.4g}  L0 {:.1f}", seconds > 0 ? n * double(B) / seconds : 0.0,
                                      window.loss / n, window.l0 / n));
      window = LogWindow{};
      window_start = now;
    }
    progress.set_done(state.step);
    if ((o.checkpoint_every > 0 && state.step % o.checkpoint_every == 0) || state.step == stop_at)
      save_checkpoint(o.out_dir, state, info);
  }
  progress.finish();
  if (state.step < total_steps) return {o.out_dir, Json::object(), false};

  // ---- evaluation and export ----
  const bool has_holdout = !split.holdout.empty();
  const SaeEvaluation eval = evaluate_sae(arch, config, state.params, data.vectors, has_holdout ? split.holdout : split.train, scale);
  const SaeEvaluation density = evaluate_sae(arch, config, state.params, data.vectors, split.train, scale);
  const std::vector<float> log10_density = log10_feature_density(density.fire_counts, density.rows);
  const Json density_json = density_summary(log10_density);

  Provenance provenance;
  provenance.seed = o.seed;
  provenance.input("embeddings", {{"path", data.source.string()}, {"fingerprint", dataset_fingerprint}, {"model", data.model}});
  SaelensTensors tensors = arch.to_saelens(config, state.params);
  fold_saelens_tensors(tensors, scale);
  write_sae_directory(o.out_dir, tensors, saelens_cfg(arch, config, o, scale, data, dataset_fingerprint, provenance),
                      provenance.dump());
  SafetensorsWriter sparsity;
  sparsity.add_f32("sparsity", {m}, log10_density);
  sparsity.set_metadata("provenance", provenance.dump());
  sparsity.write(o.out_dir / "sparsity.safetensors");

  const Json last = log.entries().empty() ? Json::object() : log.entries().back();
  Json metrics = {{"l0", eval.l0},
                  {"explained_variance", eval.explained_variance},
                  {"mse", eval.mse},
                  {"dead_fraction", dead_fraction(state.samples_since_fired, dead_window)},
                  {"dense_fraction", density_json["dense_fraction"]},
                  {"dead_window", dead_window},
                  {"never_fired_fraction", density_json["never_fired_fraction"]},
                  {"evaluated_on", has_holdout ? "holdout" : "train"},
                  {"n_eval", eval.rows},
                  {"n_train", n_train},
                  {"n_holdout", int64_t(split.holdout.size())},
                  {"train_l0", density.l0},
                  {"train_explained_variance", density.explained_variance},
                  {"final_loss", last.value("loss", 0.0)},
                  {"steps", state.step},
                  {"samples", state.step * B},
                  {"batch", B},
                  {"epochs", double(state.step * B) / double(n_train)},
                  {"input_scale", scale},
                  {"d_in", d},
                  {"d_sae", m},
                  {"architecture", arch.name()},
                  {"step_kernel", kernel->kind()},
                  {"encoder_product", kernel->encoder_product()},
                  {"dense_fallback_steps", kernel->dense_fallbacks()},
                  {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count()}};
  write_json_file(o.out_dir / "metrics.json", metrics);
  if (o.plots) write_training_plots(o.out_dir, log.entries(), log10_density);
  log_info(fmt::format("trained {} d_sae {}: held-out explained variance {:.4f}, L0 {:.2f}, dead {:.3f} → {}",
                       arch.name(), m, eval.explained_variance, eval.l0, metrics["dead_fraction"].get<double>(),
                       o.out_dir.string()));
  return {o.out_dir, metrics, true};
}

}  // namespace saerad
