#include "core/embeddings.hpp"

#include <cmath>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/npy.hpp"
#include "core/safetensors.hpp"
#include "core/strings.hpp"

namespace saerad {

namespace fs = std::filesystem;

std::vector<std::string> read_id_lines(const fs::path& path) {
  std::vector<std::string> ids;
  for (const std::string& line : split(read_text_file(path), '\n')) {
    std::string_view t = trim(line);
    if (!t.empty()) ids.emplace_back(t);
  }
  return ids;
}

namespace {
std::vector<std::string> json_string_array(const std::string& text, const std::string& what) {
  Json j = parse_json(text, what);
  if (!j.is_array()) fail_input("{}: expected a JSON array of strings", what);
  std::vector<std::string> out;
  out.reserve(j.size());
  for (const Json& v : j) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

fs::path sidecar_path(const fs::path& path) {
  fs::path p = path;
  p.replace_extension(".ids.tsv");
  return p;
}

void apply_id_file(Embeddings& e, const fs::path& ids_file) {
  e.ids.clear();
  e.study_ids.clear();
  for (const std::string& line : read_id_lines(ids_file)) {
    auto parts = split(line, '\t');
    e.ids.push_back(parts[0]);
    e.study_ids.push_back(parts.size() > 1 ? parts[1] : parts[0]);
  }
}
}  // namespace

Embeddings read_embeddings(const fs::path& path, const fs::path& ids_file) {
  Embeddings e;
  e.source = path;
  const std::string where = path.string();
  if (path.extension() == ".npy") {
    TensorView t = read_npy(path);
    if (t.shape.size() != 2) fail_input("{}: embeddings must be 2-D [N, d], got {}", where, shape_string(t.shape));
    e.vectors = MatrixF32(t.shape[0], t.shape[1]);
    t.to_f32(e.vectors.data.data());
  } else {
    SafetensorsFile st = SafetensorsFile::open(path);
    const TensorView& t = st.get("embeddings");
    if (t.shape.size() != 2)
      fail_input("{}: tensor 'embeddings' must be 2-D [N, d], got {}", where, shape_string(t.shape));
    e.vectors = MatrixF32(t.shape[0], t.shape[1]);
    t.to_f32(e.vectors.data.data());
    e.metadata = st.metadata();
    e.model = st.metadata_or("model");
    if (auto p = st.metadata_or("preprocess"); !p.empty()) e.preprocess = parse_json(p, where + ": metadata 'preprocess'");
    if (auto f = st.metadata_or("ids_file"); !f.empty()) {
      apply_id_file(e, path.parent_path() / f);
    } else {
      if (auto ids = st.metadata_or("ids"); !ids.empty()) e.ids = json_string_array(ids, where + ": metadata 'ids'");
      if (auto s = st.metadata_or("study_ids"); !s.empty())
        e.study_ids = json_string_array(s, where + ": metadata 'study_ids'");
    }
  }
  if (!ids_file.empty()) apply_id_file(e, ids_file);
  const auto n = size_t(e.size());
  if (e.ids.empty()) {
    for (size_t i = 0; i < n; ++i) e.ids.push_back(std::to_string(i));
  }
  if (e.study_ids.empty()) e.study_ids = e.ids;
  if (e.ids.size() != n)
    fail_input("{}: {} ids for {} rows{}", where, e.ids.size(), n, ids_file.empty() ? "" : " (from " + ids_file.string() + ")");
  if (e.study_ids.size() != n) fail_input("{}: {} study_ids for {} rows", where, e.study_ids.size(), n);
  check_finite(e);
  return e;
}

void check_finite(const Embeddings& e) {
  for (int64_t i = 0; i < e.size(); ++i) {
    const float* row = e.vectors.row(i);
    for (int64_t j = 0; j < e.dim(); ++j) {
      if (!std::isfinite(row[j]))
        fail_input("{}: row {} (id {}) has a non-finite value ({}) at column {}", e.source.string(), i,
                   size_t(i) < e.ids.size() ? e.ids[size_t(i)] : "?", row[j], j);
    }
  }
}

void write_embeddings(const fs::path& path, const Embeddings& e, const Provenance& provenance) {
  const size_t n = size_t(e.size());
  if (e.ids.size() != n || e.study_ids.size() != n)
    fail("{}: {} rows but {} ids and {} study_ids", path.string(), n, e.ids.size(), e.study_ids.size());
  SafetensorsWriter w;
  w.add_borrowed("embeddings", DType::F32, {e.vectors.rows, e.vectors.cols}, e.vectors.data.data(),
                 e.vectors.data.size() * sizeof(float));
  for (const auto& [k, v] : e.metadata)  // carried-over metadata, less what is rewritten below
    if (k != "ids" && k != "study_ids" && k != "ids_file" && k != "provenance") w.set_metadata(k, v);
  w.set_metadata("model", e.model);
  w.set_metadata("preprocess", e.preprocess.dump());
  w.set_metadata("provenance", provenance.dump());
  if (n > kIdsSidecarThreshold) {
    fs::path sidecar = sidecar_path(path);
    AtomicFile out(sidecar);
    for (size_t i = 0; i < n; ++i) out.write(e.ids[i] + "\t" + e.study_ids[i] + "\n");
    out.commit();
    w.set_metadata("ids_file", sidecar.filename().string());
  } else {
    w.set_metadata("ids", Json(e.ids).dump());
    w.set_metadata("study_ids", Json(e.study_ids).dump());
  }
  w.write(path);
}

}  // namespace saerad
