#include "core/sparse_activations.hpp"

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace saerad {

namespace fs = std::filesystem;

void SparseActivations::append_row(std::span<const int32_t> row_indices, std::span<const float> row_values) {
  if (row_indices.size() != row_values.size()) fail("append_row: {} indices but {} values", row_indices.size(), row_values.size());
  indices.insert(indices.end(), row_indices.begin(), row_indices.end());
  values.insert(values.end(), row_values.begin(), row_values.end());
  indptr.push_back(int64_t(values.size()));
}

SparseActivations read_sparse_activations(const fs::path& path) {
  SafetensorsFile st = SafetensorsFile::open(path);
  const std::string where = path.string();
  SparseActivations a;
  a.indptr = st.get("indptr", {-1}).copy_as<int64_t>();
  a.indices = st.get("indices", {-1}).copy_as<int32_t>();
  a.values = st.get("values", {int64_t(a.indices.size())}).to_f32();
  a.decoder_norm = st.get("decoder_norm", {-1}).to_f32();
  a.d_sae = int64_t(a.decoder_norm.size());
  a.metadata = st.metadata();
  if (a.indptr.empty() || a.indptr.front() != 0 || a.indptr.back() != int64_t(a.indices.size()))
    fail_input("{}: indptr must start at 0 and end at nnz = {}", where, a.indices.size());
  for (size_t r = 0; r + 1 < a.indptr.size(); ++r) {
    if (a.indptr[r + 1] < a.indptr[r]) fail_input("{}: indptr decreases at row {}", where, r);
    for (int64_t k = a.indptr[r]; k < a.indptr[r + 1]; ++k) {
      const int32_t f = a.indices[size_t(k)];
      if (f < 0 || f >= a.d_sae) fail_input("{}: row {} has feature index {} outside [0, {})", where, r, f, a.d_sae);
      if (k > a.indptr[r] && a.indices[size_t(k - 1)] >= f)
        fail_input("{}: row {} indices are not strictly ascending", where, r);
    }
  }
  auto parse_ids = [&](const char* key) {
    std::vector<std::string> out;
    if (auto text = st.metadata_or(key); !text.empty())
      for (const Json& v : parse_json(text, where + ": metadata '" + key + "'")) out.push_back(v.get<std::string>());
    return out;
  };
  a.ids = parse_ids("ids");
  a.study_ids = parse_ids("study_ids");
  const auto n = size_t(a.rows());
  if (a.ids.empty())
    for (size_t i = 0; i < n; ++i) a.ids.push_back(std::to_string(i));
  if (a.study_ids.empty()) a.study_ids = a.ids;
  if (a.ids.size() != n || a.study_ids.size() != n)
    fail_input("{}: {} rows but {} ids / {} study_ids", where, n, a.ids.size(), a.study_ids.size());
  return a;
}

void write_sparse_activations(const fs::path& path, const SparseActivations& a, const Provenance& provenance) {
  const auto n = size_t(a.rows());
  if (a.ids.size() != n || a.study_ids.size() != n)
    fail("{}: {} rows but {} ids / {} study_ids", path.string(), n, a.ids.size(), a.study_ids.size());
  if (int64_t(a.decoder_norm.size()) != a.d_sae)
    fail("{}: decoder_norm has {} entries, d_sae is {}", path.string(), a.decoder_norm.size(), a.d_sae);
  SafetensorsWriter w;
  w.add_borrowed("indptr", DType::I64, {int64_t(a.indptr.size())}, a.indptr.data(), a.indptr.size() * 8);
  w.add_borrowed("indices", DType::I32, {int64_t(a.indices.size())}, a.indices.data(), a.indices.size() * 4);
  w.add_borrowed("values", DType::F32, {int64_t(a.values.size())}, a.values.data(), a.values.size() * 4);
  w.add_borrowed("decoder_norm", DType::F32, {a.d_sae}, a.decoder_norm.data(), a.decoder_norm.size() * 4);
  for (const auto& [k, v] : a.metadata)
    if (k != "ids" && k != "study_ids" && k != "provenance") w.set_metadata(k, v);
  w.set_metadata("ids", Json(a.ids).dump());
  w.set_metadata("study_ids", Json(a.study_ids).dump());
  w.set_metadata("d_sae", std::to_string(a.d_sae));
  w.set_metadata("provenance", provenance.dump());
  w.write(path);
}

}  // namespace saerad
