// saerad import-embeddings — a .npy [N, d] computed elsewhere (e.g. transformers on a GPU) + its ids → the
// embeddings file of docs/formats.md.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "vision/embedding_merge.hpp"

namespace saerad::cli {
namespace {

struct ImportArgs {
  ImportOptions options;
  std::string preprocess_json;
  std::filesystem::path out;
};

Registration reg{{
    .name = "import-embeddings",
    .summary = "Turn a .npy of embeddings computed elsewhere (+ ids) into a saerad embeddings file",
    .group = Group::Embed,
    .setup = [](CLI::App& cmd) -> Runner {
      auto args = std::make_shared<ImportArgs>();
      cmd.add_option("--npy", args->options.npy, ".npy [N, d] float32/float16")->required()->check(CLI::ExistingFile);
      cmd.add_option("--ids", args->options.ids, "One id per line (or image_id<TAB>study_id), N lines")
          ->required()
          ->check(CLI::ExistingFile);
      cmd.add_option("--model-name", args->options.model_name, "Recorded as the `model` fingerprint, e.g. rad-dino")
          ->required();
      cmd.add_option("--preprocess", args->preprocess_json, "JSON describing how the images were preprocessed");
      cmd.add_option("--out", args->out, "Output .safetensors")->required();
      return [args] {
        if (!args->preprocess_json.empty()) args->options.preprocess = parse_json(args->preprocess_json, "--preprocess");
        const Embeddings e = import_embeddings(args->options);
        Provenance provenance;
        provenance.input("npy", fingerprint_file(args->options.npy)).input("ids", fingerprint_file(args->options.ids));
        write_embeddings(args->out, e, provenance);
        if (json_output()) print_json({{"out", args->out.string()}, {"rows", e.size()}, {"dim", e.dim()}});
        log_info(fmt::format("import-embeddings: {} × {} → {}", e.size(), e.dim(), args->out.string()));
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
