#pragma once
// `saerad embed` as one call: choose the encoder, list the inputs (files/dirs or a manifest), cut the shard,
// and run the resumable job. The CLI file only parses options into an EmbedRequest.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vision/embed_job.hpp"

namespace saerad {

struct EmbedRequest {
  std::filesystem::path model_dir;  // a HF DINOv2 folder, or empty with encoder == "builtin"
  std::string encoder;              // "" (needs model_dir) or "builtin"
  std::vector<std::filesystem::path> images;
  std::filesystem::path manifest;
  std::string per_study = "first-frontal";
  std::string shard;  // "k/n" or empty
  std::filesystem::path out;
  int batch = 8;
  int part_size = 0;  // 0: 256 (32 with patch tokens)
  bool resume = false, keep_parts = false, patch_tokens = false;
  std::string patch_dtype = "f16";  // f16 | bf16 | f32
};

std::unique_ptr<ImageEncoder> make_encoder(const std::filesystem::path& model_dir, const std::string& encoder);
EmbedSummary embed(const EmbedRequest& request);

}  // namespace saerad
