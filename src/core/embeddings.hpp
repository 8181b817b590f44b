#pragma once
// The embeddings file of docs/formats.md: tensor `embeddings` [N, d] (F32; F16/BF16 accepted) with
// metadata `ids`, `study_ids`, `model`, `preprocess`, `provenance` — or a .npy [N, d] with ids from a file.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "core/provenance.hpp"
#include "core/tensor.hpp"

namespace saerad {

inline constexpr size_t kIdsSidecarThreshold = 1'000'000;  // past this, ids go to <name>.ids.tsv

struct Embeddings {
  MatrixF32 vectors;                    // [N, d]
  std::vector<std::string> ids;         // image_ids (or study_ids when the input had no images)
  std::vector<std::string> study_ids;   // N study_ids
  std::string model;                    // encoder fingerprint ("builtin-v1", "dinov2:sha256:…")
  Json preprocess = Json::object();
  std::map<std::string, std::string> metadata;  // everything the file carried
  std::filesystem::path source;

  int64_t size() const { return vectors.rows; }
  int64_t dim() const { return vectors.cols; }
};

// Reads .safetensors or .npy. `ids_file` (one id per line; "image_id<TAB>study_id" also accepted) is
// required for nothing: .npy rows default to their row numbers. Rows with NaN/Inf are an error naming
// the file, the row and its id.
Embeddings read_embeddings(const std::filesystem::path& path, const std::filesystem::path& ids_file = {});
void write_embeddings(const std::filesystem::path& path, const Embeddings& embeddings, const Provenance& provenance);
void check_finite(const Embeddings& embeddings);
std::vector<std::string> read_id_lines(const std::filesystem::path& path);  // one per line, blank lines skipped

}  // namespace saerad
