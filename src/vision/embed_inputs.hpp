#pragma once
// What `embed` embeds: image files with their image_id and study_id (docs/formats.md "Ids"), listed from
// files/directories or a studies.csv manifest, optionally cut to one shard.
#include <filesystem>
#include <string>
#include <vector>

namespace saerad {

struct EmbedInput {
  std::filesystem::path path;
  std::string image_id;
  std::string study_id;
};

// Files and directories. A directory is walked recursively in byte-wise path order; it contributes files
// with an image extension (.png .jpg .jpeg .dcm .dicom, any case) and extensionless files that start like
// DICOM. image_id = the path relative to the directory argument without its extension ("p10/s1/view1");
// for a file argument, its stem. study_id = image_id (no study structure is assumed). Duplicate ids are an
// error naming both files.
std::vector<EmbedInput> list_image_inputs(const std::vector<std::filesystem::path>& arguments);

enum class PerStudy { kFirstFrontal, kAll };
PerStudy parse_per_study(const std::string& value);  // "first-frontal" | "all"

// Rows of a studies.csv with an image_path. first-frontal keeps one image per study: PA, then AP, then other
// frontal views, then rows with no view, by lowest image_id within a rank; lateral-only studies are skipped
// (counted in `skipped_studies`). image_id defaults to the image_path stem when empty.
std::vector<EmbedInput> list_manifest_inputs(const std::filesystem::path& manifest, PerStudy per_study,
                                             size_t* skipped_studies = nullptr);

// "k/n" (1 ≤ k ≤ n): shard k of n.
struct Shard {
  int index = 1, count = 1;
  bool whole() const { return count == 1; }
  std::string to_string() const { return std::to_string(index) + "/" + std::to_string(count); }
};
Shard parse_shard(const std::string& text);
// The k-th of n contiguous, near-equal blocks ([⌊(k−1)N/n⌋, ⌊kN/n⌋)), so shards merged in shard order
// reproduce the unsharded order.
std::vector<EmbedInput> select_shard(const std::vector<EmbedInput>& inputs, Shard shard);

}  // namespace saerad
