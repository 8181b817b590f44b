// saerad encode — embeddings → sparse SAE activations (CSR safetensors) with a saerad or SAELens SAE.
#include <cstdio>

#include "cli/command.hpp"
#include "core/embeddings.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "sae/sae_encode.hpp"
#include "sae/sae_model.hpp"

namespace saerad::cli {
namespace {

struct EncodeArgs {
  std::string sae, embeddings, ids, out;
};

Registration reg{{
    .name = "encode",
    .summary = "Encode embeddings with an SAE into sparse activations (CSR safetensors)",
    .group = Group::Sae,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<EncodeArgs>();
      cmd.add_option("--sae", a->sae, "SAE directory (saerad or SAELens)")->required();
      cmd.add_option("--embeddings", a->embeddings, "Embeddings (.safetensors or .npy)")->required();
      cmd.add_option("--ids", a->ids, "Ids for a .npy input (one per line)");
      cmd.add_option("--out", a->out, "Output activations (.safetensors)")->required();
      return [a] {
        const SaeModel sae = SaeModel::load(a->sae);
        const Embeddings data = read_embeddings(a->embeddings, a->ids);
        const Json summary = encode_embeddings_to_file(sae, data, a->out);
        if (json_output())
          print_json(summary);
        else
          log_info(fmt::format("encoded {} embeddings: L0 {:.2f}, {} nonzeros → {}", summary["rows"].get<int64_t>(),
                               summary["l0"].get<double>(), summary["nnz"].get<int64_t>(), a->out));
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
