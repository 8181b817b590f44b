#include "sae/architecture.hpp"

#include <cstdlib>

#include "core/strings.hpp"
#include "sae/dense_ops.hpp"

namespace saerad {

namespace {

struct Entry {
  std::string name;
  std::unique_ptr<Architecture> (*make)();
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {"gated-hybrid", make_gated_hybrid_architecture}, {"gated", make_gated_architecture},
      {"relu", make_relu_architecture},                 {"topk", make_topk_architecture},
      {"batchtopk", make_batchtopk_architecture},       {"jumprelu", make_jumprelu_architecture},
  };
  return entries;
}

}  // namespace

const Architecture& architecture(const std::string& name) {
  static const std::vector<std::unique_ptr<Architecture>> instances = [] {
    std::vector<std::unique_ptr<Architecture>> v;
    for (const auto& e : table()) v.push_back(e.make());
    return v;
  }();
  for (const auto& a : instances)
    if (a->name() == name) return *a;
  fail_input("unknown SAE architecture '{}' (known: {})", name, join(architecture_names(), ", "));
}

std::vector<std::string> architecture_names() {
  std::vector<std::string> names;
  for (const auto& e : table()) names.push_back(e.name);
  return names;
}

void Architecture::project_gradients(const ArchConfig& config, const Params& params, Params& grad) const {
  if (unit_norm_decoder())
    dense::remove_radial_component(params.get("W_dec"), config.d_sae, config.d_in, grad.get("W_dec"));
}

void Architecture::after_step(const ArchConfig& config, Params& params, const StepOutputs<float>&) const {
  if (unit_norm_decoder()) dense::normalize_rows(params.get("W_dec"), config.d_sae, config.d_in);
}

KernelChoice parse_kernel_choice(const std::string& name) {
  if (name == "auto") return KernelChoice::Auto;
  if (name == "fast") return KernelChoice::Fast;
  if (name == "reference") return KernelChoice::Reference;
  fail_input("SAE step kernel must be auto, fast or reference, not '{}'", name);
}

EncoderPrecision parse_encoder_precision(const std::string& name) {
  if (name == "auto") return EncoderPrecision::Auto;
  if (name == "bf16") return EncoderPrecision::Bf16Screened;
  if (name == "fp32") return EncoderPrecision::Float32;
  fail_input("SAE encoder precision must be auto, bf16 or fp32, not '{}'", name);
}

std::unique_ptr<StepKernel<float>> make_step_kernel(const Architecture& arch, const ArchConfig& config, int64_t max_batch,
                                                    KernelChoice choice, const FastKernelOptions& options) {
  if (choice == KernelChoice::Auto)
    if (const char* env = std::getenv("SAERAD_SAE_KERNEL"); env && *env) choice = parse_kernel_choice(env);
  if (choice == KernelChoice::Reference) return arch.reference_kernel(config, max_batch);
  FastKernelOptions fast_options = options;
  if (fast_options.encoder == EncoderPrecision::Auto)
    if (const char* env = std::getenv("SAERAD_SAE_ENCODER"); env && *env) fast_options.encoder = parse_encoder_precision(env);
  std::unique_ptr<StepKernel<float>> fast = arch.fast_kernel(config, max_batch, fast_options);
  if (fast) return fast;
  if (choice == KernelChoice::Fast) fail_input("the SAE architecture '{}' has no fast step kernel", arch.name());
  return arch.reference_kernel(config, max_batch);
}

}  // namespace saerad
