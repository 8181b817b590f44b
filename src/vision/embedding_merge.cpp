// merge-embeddings and import-embeddings (see embedding_merge.hpp).
#include "vision/embedding_merge.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "vision/embed_inputs.hpp"

namespace saerad {

Embeddings merge_embeddings(const std::vector<std::filesystem::path>& files) {
  if (files.empty()) fail_input("merge-embeddings: no input files");
  std::vector<Embeddings> parts;
  for (const auto& file : files) parts.push_back(read_embeddings(file));

  // Shards of one run go in shard order, each exactly once.
  const bool sharded = std::all_of(parts.begin(), parts.end(), [](const Embeddings& e) { return e.metadata.count("shard"); });
  if (sharded) {
    std::map<int, size_t> by_index;
    int count = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      const Shard shard = parse_shard(parts[i].metadata.at("shard"));
      if (count != 0 && shard.count != count)
        fail_input("{}: shard {} does not belong with shards of {}", files[i], shard.to_string(), count);
      if (parts[i].metadata.at("shard_of") != parts[0].metadata.at("shard_of"))
        fail_input("{}: shard of a different input list than {}", files[i], files[0]);
      count = shard.count;
      if (!by_index.emplace(shard.index, i).second) fail_input("{}: shard {} given twice", files[i], shard.to_string());
    }
    for (int k = 1; k <= count; ++k)
      if (!by_index.count(k)) fail_input("merge-embeddings: shard {}/{} is missing", k, count);
    std::vector<Embeddings> ordered;
    for (auto& [k, i] : by_index) ordered.push_back(std::move(parts[i]));
    parts = std::move(ordered);
  }

  Embeddings merged;
  const Embeddings& first = parts.front();
  merged.model = first.model;
  merged.preprocess = first.preprocess;
  merged.vectors.cols = first.dim();
  std::set<std::string> seen;
  for (auto& part : parts) {
    if (part.dim() != first.dim())
      fail_input("{}: dimension {} differs from {} in {}", part.source, part.dim(), first.dim(), first.source);
    if (part.model != first.model)
      fail_input("{}: model '{}' differs from '{}' in {}", part.source, part.model, first.model, first.source);
    if (part.preprocess != first.preprocess)
      fail_input("{}: preprocess settings differ from {}", part.source, first.source);
    for (size_t i = 0; i < part.ids.size(); ++i) {
      if (!seen.insert(part.ids[i]).second) fail_input("{}: id '{}' already in an earlier file", part.source, part.ids[i]);
      merged.ids.push_back(part.ids[i]);
      merged.study_ids.push_back(part.study_ids[i]);
    }
    merged.vectors.data.insert(merged.vectors.data.end(), part.vectors.data.begin(), part.vectors.data.end());
    merged.vectors.rows += part.size();
  }
  return merged;
}

Embeddings import_embeddings(const ImportOptions& options) {
  if (options.model_name.empty()) fail_input("import-embeddings: --model-name is required (e.g. rad-dino)");
  if (options.npy.extension() != ".npy") fail_input("{}: expected a .npy file [N, d]", options.npy);
  Embeddings e = read_embeddings(options.npy, options.ids);
  check_finite(e);
  e.model = options.model_name;
  e.preprocess = options.preprocess;
  e.preprocess["imported_from"] = options.npy.filename().string();
  e.metadata.clear();
  return e;
}

}  // namespace saerad
