#pragma once
// Joining embeddings files (`merge-embeddings`, e.g. the parts of `embed --shard`) and bringing in embeddings
// computed elsewhere (`import-embeddings`, e.g. with transformers on a GPU).
#include <filesystem>
#include <string>
#include <vector>

#include "core/embeddings.hpp"

namespace saerad {

// Files must agree on dim, `model` and `preprocess`; ids must be unique across them. Parts carrying
// `shard` metadata (k/n of one input list) are joined in shard order whatever order they are given in, and
// a missing or repeated shard is an error; other files are joined in the order given.
Embeddings merge_embeddings(const std::vector<std::filesystem::path>& files);

struct ImportOptions {
  std::filesystem::path npy, ids;  // ids: one per line, or "image_id<TAB>study_id"
  std::string model_name;          // recorded as `model` (e.g. "rad-dino")
  Json preprocess = Json::object();
};
Embeddings import_embeddings(const ImportOptions& options);

}  // namespace saerad
