// `saerad embed` from its options (see embed_request.hpp).
#include "vision/embed_request.hpp"

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"

namespace saerad {

std::unique_ptr<ImageEncoder> make_encoder(const std::filesystem::path& model_dir, const std::string& encoder) {
  if (!model_dir.empty() && !encoder.empty()) fail_input("give either --model DIR or --encoder builtin, not both");
  if (!model_dir.empty()) return make_dinov2_encoder(model_dir);
  if (encoder == "builtin") return make_builtin_encoder();
  if (encoder.empty()) fail_input("an encoder is required: --model DIR (a HF DINOv2/Rad-DINO folder) or --encoder builtin");
  fail_input("--encoder must be 'builtin' (got '{}'); DINOv2 models are given with --model DIR", encoder);
}

EmbedSummary embed(const EmbedRequest& request) {
  if (request.images.empty() == request.manifest.empty())
    fail_input("give the images with either --images FILE/DIR... or --manifest studies.csv");
  if (request.out.empty()) fail_input("--out is required");
  EmbedOptions options;
  options.out = request.out;
  options.batch = request.batch;
  options.resume = request.resume;
  options.keep_parts = request.keep_parts;
  options.patch_tokens = request.patch_tokens;
  if (request.patch_dtype == "f16") options.patch_dtype = DType::F16;
  else if (request.patch_dtype == "bf16") options.patch_dtype = DType::BF16;
  else if (request.patch_dtype == "f32") options.patch_dtype = DType::F32;
  else fail_input("--patch-dtype must be f16, bf16 or f32 (got '{}')", request.patch_dtype);
  options.part_size = request.part_size > 0 ? request.part_size : (request.patch_tokens ? 32 : 256);

  std::vector<EmbedInput> all;
  if (!request.manifest.empty()) {
    size_t skipped = 0;
    all = list_manifest_inputs(request.manifest, parse_per_study(request.per_study), &skipped);
    if (skipped > 0)
      log_warning(fmt::format("{} studies have no frontal image and were skipped (--per-study all keeps them)", skipped));
    options.inputs_provenance["manifest"] = fingerprint_file(request.manifest);
    options.inputs_provenance["per_study"] = request.per_study;
  } else {
    all = list_image_inputs(request.images);
    if (all.empty()) fail_input("no images found under the given paths (.png .jpg .jpeg .dcm .dicom)");
  }
  options.all_inputs_fingerprint = fingerprint_inputs(all);
  options.inputs_provenance["images"] = options.all_inputs_fingerprint;
  if (!request.shard.empty()) {
    const Shard shard = parse_shard(request.shard);
    options.shard = shard;
    options.inputs = select_shard(all, shard);
    options.inputs_provenance["shard"] = shard.to_string();
    if (options.inputs.empty()) fail_input("shard {} of {} inputs is empty", shard.to_string(), all.size());
  } else {
    options.inputs = std::move(all);
  }
  auto encoder = make_encoder(request.model_dir, request.encoder);
  return run_embed(*encoder, options);
}

}  // namespace saerad
