// saerad merge-embeddings — join embeddings files (e.g. the shards of `embed --shard`) into one.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/embeddings.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "vision/embedding_merge.hpp"

namespace saerad::cli {
namespace {

struct MergeArgs {
  std::vector<std::filesystem::path> files;
  std::filesystem::path out;
};

Registration reg{{
    .name = "merge-embeddings",
    .summary = "Join embeddings files (shards in shard order) into one",
    .group = Group::Embed,
    .setup = [](CLI::App& cmd) -> Runner {
      auto args = std::make_shared<MergeArgs>();
      cmd.add_option("files", args->files, "Embeddings .safetensors files")->required()->check(CLI::ExistingFile);
      cmd.add_option("--out", args->out, "Output .safetensors")->required();
      return [args] {
        Embeddings merged = merge_embeddings(args->files);
        merged.metadata.clear();  // shard metadata describes the parts, not the whole
        Provenance provenance;
        for (const auto& file : args->files) provenance.input(file.filename().string(), fingerprint_file(file));
        write_embeddings(args->out, merged, provenance);
        if (json_output()) print_json({{"out", args->out.string()}, {"rows", merged.size()}, {"dim", merged.dim()}});
        log_info(fmt::format("merge-embeddings: {} rows from {} files → {}", merged.size(), args->files.size(),
                             args->out.string()));
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
