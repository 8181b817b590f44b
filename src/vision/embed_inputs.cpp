// Listing embed inputs (see embed_inputs.hpp).
#include "vision/embed_inputs.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "data/manifest.hpp"
#include "vision/image_codecs.hpp"

namespace saerad {
namespace fs = std::filesystem;
namespace {

bool has_image_extension(const fs::path& path) {
  static const std::set<std::string> kExtensions = {".png", ".jpg", ".jpeg", ".dcm", ".dicom"};
  return kExtensions.count(to_lower(path.extension().string())) > 0;
}

bool starts_like_dicom(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t head[132] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return sniff_image_format({head, size_t(in.gcount())}) == ImageFormat::kDicom;
}

std::string id_without_extension(const fs::path& relative) {
  fs::path p = relative;
  p.replace_extension();
  return p.generic_string();
}

}  // namespace

std::vector<EmbedInput> list_image_inputs(const std::vector<fs::path>& arguments) {
  std::vector<EmbedInput> inputs;
  for (const fs::path& argument : arguments) {
    std::error_code ec;
    if (fs::is_directory(argument, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(argument, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) fail_input("{}: cannot list directory: {}", argument, ec.message());
        const fs::path& path = it->path();
        if (path.filename().string().starts_with(".")) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file()) continue;
        if (has_image_extension(path) || (!path.has_extension() && starts_like_dicom(path))) files.push_back(path);
      }
      std::sort(files.begin(), files.end());  // byte-wise: the same order on every file system
      for (const fs::path& file : files) {
        const std::string id = id_without_extension(fs::relative(file, argument));
        inputs.push_back({file, id, id});
      }
    } else if (fs::exists(argument, ec)) {
      const std::string id = argument.stem().string();
      inputs.push_back({argument, id, id});
    } else {
      fail_input("{}: no such file or directory", argument);
    }
  }
  std::map<std::string, const EmbedInput*> seen;
  for (const auto& input : inputs) {
    auto [it, fresh] = seen.emplace(input.image_id, &input);
    if (!fresh)
      fail_input("{} and {} would both get image_id '{}': pass their common directory instead, or use a manifest",
                 it->second->path, input.path, input.image_id);
  }
  return inputs;
}

PerStudy parse_per_study(const std::string& value) {
  if (value == "first-frontal") return PerStudy::kFirstFrontal;
  if (value == "all") return PerStudy::kAll;
  fail_input("--per-study must be first-frontal or all (got '{}')", value);
}

std::vector<EmbedInput> list_manifest_inputs(const fs::path& manifest_path, PerStudy per_study,
                                             size_t* skipped_studies) {
  const Manifest manifest = read_manifest(manifest_path);
  struct Candidate {
    int rank;
    EmbedInput input;
  };
  std::vector<std::string> study_order;
  std::map<std::string, std::vector<Candidate>> by_study;
  size_t with_images = 0;
  for (const StudyRow& row : manifest.rows) {
    if (row.image_path.empty()) continue;
    ++with_images;
    const std::string view = to_lower(std::string(trim(row.view)));
    int rank = 3;  // no view given
    if (view == "pa") rank = 0;
    else if (view == "ap") rank = 1;
    else if (is_frontal_view(row.view)) rank = 2;
    else if (!view.empty()) rank = 4;  // lateral and anything else
    const std::string image_id = row.image_id.empty() ? fs::path(row.image_path).stem().string() : row.image_id;
    if (!by_study.count(row.study_id)) study_order.push_back(row.study_id);
    by_study[row.study_id].push_back({rank, {manifest.image_file(row), image_id, row.study_id}});
  }
  if (with_images == 0)
    fail_input("{}: no row has an image_path (a reports-only manifest cannot be embedded)", manifest_path);
  std::vector<EmbedInput> inputs;
  size_t skipped = 0;
  for (const std::string& study : study_order) {
    auto& candidates = by_study[study];
    if (per_study == PerStudy::kAll) {
      for (auto& c : candidates) inputs.push_back(std::move(c.input));
      continue;
    }
    auto best = std::min_element(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return std::tie(a.rank, a.input.image_id) < std::tie(b.rank, b.input.image_id);
    });
    if (best->rank == 4) {
      ++skipped;
      continue;
    }
    inputs.push_back(std::move(best->input));
  }
  if (skipped_studies) *skipped_studies = skipped;
  std::map<std::string, size_t> seen;
  for (const auto& input : inputs)
    if (++seen[input.image_id] == 2) fail_input("{}: image_id '{}' appears more than once", manifest_path, input.image_id);
  return inputs;
}

Shard parse_shard(const std::string& text) {
  const auto parts = split(text, '/');
  Shard shard;
  try {
    if (parts.size() != 2) throw std::invalid_argument("");
    shard.index = std::stoi(parts[0]);
    shard.count = std::stoi(parts[1]);
  } catch (const std::exception&) {
    fail_input("--shard must be K/N, e.g. 3/8 (got '{}')", text);
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count)
    fail_input("--shard {}: K must be between 1 and N (shards are numbered from 1)", text);
  return shard;
}

std::vector<EmbedInput> select_shard(const std::vector<EmbedInput>& inputs, Shard shard) {
  const size_t n = inputs.size();
  const size_t begin = n * size_t(shard.index - 1) / size_t(shard.count), end = n * size_t(shard.index) / size_t(shard.count);
  return {inputs.begin() + ptrdiff_t(begin), inputs.begin() + ptrdiff_t(end)};
}

}  // namespace saerad
