#pragma once
// A resumable embedding run: inputs are cut into numbered parts; each finished part is written atomically to
// `<out>.parts/part-NNNNNN.safetensors` and recorded in `<out>.parts/journal.jsonl`, so a killed run loses
// at most the part in flight and `resume` continues from the journal. At the end the parts are joined into
// `out` (atomic, successful rows only, input order), unreadable images are listed in `<out>.failures.csv`
// (path, image_id, reason), and the parts folder is removed. Memory is bounded by one part.
#include <filesystem>
#include <optional>
#include <vector>

#include "core/dtype.hpp"
#include "core/json_io.hpp"
#include "vision/embed_inputs.hpp"
#include "vision/encoder.hpp"

namespace saerad {

struct EmbedOptions {
  std::vector<EmbedInput> inputs;  // this run's inputs (one shard of `all_inputs_fingerprint` when sharded)
  std::filesystem::path out;
  int batch = 8;
  int part_size = 256;
  bool resume = false;
  bool keep_parts = false;
  bool patch_tokens = false;  // also write <name>.patches.safetensors (needs a Dinov2Encoder)
  DType patch_dtype = DType::F16;
  std::optional<Shard> shard;
  std::string all_inputs_fingerprint;  // of the unsharded list (recorded with the shard)
  Json inputs_provenance = Json::object();
};

struct EmbedSummary {
  size_t total = 0, embedded = 0, failed = 0, resumed = 0;  // resumed: inputs covered by earlier parts
  double seconds = 0;
  std::filesystem::path out, patches, failures;
  Json to_json() const;
};

EmbedSummary run_embed(ImageEncoder& encoder, const EmbedOptions& options);

// The fingerprint of an input list (paths and ids, in order): what `--resume` checks the journal against.
std::string fingerprint_inputs(const std::vector<EmbedInput>& inputs);

std::filesystem::path patches_path_for(const std::filesystem::path& out);   // emb.safetensors → emb.patches.safetensors
std::filesystem::path failures_path_for(const std::filesystem::path& out);  // → emb.safetensors.failures.csv
std::filesystem::path parts_dir_for(const std::filesystem::path& out);      // → emb.safetensors.parts

}  // namespace saerad
