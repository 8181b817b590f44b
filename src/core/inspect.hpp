#pragma once
// `saerad inspect`: what is inside a safetensors / .npy file (or an SAE directory) — tensors, dtypes,
// shapes, metadata and provenance, optionally value statistics.
#include <filesystem>

#include "core/json_io.hpp"

namespace saerad {

struct InspectOptions {
  bool stats = false;     // min / max / mean / std / non-finite count per float tensor
  size_t max_ids = 5;     // ids arrays are summarised to their first few entries
};

Json inspect_file(const std::filesystem::path& path, const InspectOptions& options = {});
std::string format_inspection(const Json& inspection);  // the human-readable form

}  // namespace saerad
