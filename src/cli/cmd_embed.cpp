// saerad embed — images (files, folders or a studies.csv) → an embeddings file, resumable and shardable.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "vision/embed_request.hpp"

namespace saerad::cli {
namespace {

Registration reg{{
    .name = "embed",
    .summary = "Embed chest X-rays (PNG/JPEG/DICOM) with Rad-DINO/DINOv2 or the builtin encoder",
    .group = Group::Embed,
    .setup = [](CLI::App& cmd) -> Runner {
      auto req = std::make_shared<EmbedRequest>();
      cmd.add_option("--model", req->model_dir, "HF DINOv2 folder (config.json, preprocessor_config.json, "
                                                "model.safetensors), e.g. microsoft/rad-dino");
      cmd.add_option("--encoder", req->encoder, "'builtin': the weight-free encoder (fingerprint builtin-v1)");
      cmd.add_option("--images", req->images, "Image files and/or folders (walked recursively)");
      cmd.add_option("--manifest", req->manifest, "studies.csv (image_path relative to its folder)");
      cmd.add_option("--per-study", req->per_study, "With --manifest: first-frontal (one image per study) or all")
          ->capture_default_str();
      cmd.add_option("--shard", req->shard, "K/N: embed only the K-th of N contiguous blocks (1-based)");
      cmd.add_option("--out", req->out, "Output embeddings .safetensors")->required();
      cmd.add_option("--batch", req->batch, "Images per forward pass")->capture_default_str();
      cmd.add_option("--part-size", req->part_size, "Images per checkpointed part (default 256; 32 with --patch-tokens)");
      cmd.add_flag("--resume", req->resume, "Continue an interrupted run from <out>.parts/");
      cmd.add_flag("--keep-parts", req->keep_parts, "Keep <out>.parts/ after the final file is written");
      cmd.add_flag("--patch-tokens", req->patch_tokens, "Also write <name>.patches.safetensors (last_hidden_state)");
      cmd.add_option("--patch-dtype", req->patch_dtype, "f16, bf16 or f32")->capture_default_str();
      return [req] {
        const EmbedSummary summary = embed(*req);
        if (json_output()) print_json(summary.to_json());
        log_info(fmt::format("embed: {} of {} images embedded → {}{}{}", summary.embedded, summary.total,
                             summary.out.string(), summary.failed ? fmt::format("; {} failed (see {})", summary.failed,
                                                                               summary.failures.string())
                                                                  : std::string(),
                             summary.resumed ? fmt::format("; {} from earlier parts", summary.resumed) : std::string()));
        if (summary.failed > 0) throw ExitStatus{1};
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
