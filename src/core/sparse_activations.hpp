#pragma once
// Sparse SAE activations as values + indices end to end (CSR), and their file (docs/formats.md):
// `indptr` I64 [N+1], `indices` I32 [nnz], `values` F32 [nnz], `decoder_norm` F32 [d_sae], metadata
// `ids` / `study_ids` (JSON arrays), `d_sae`, provenance. Never a dense N × m matrix.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/provenance.hpp"

namespace saerad {

struct SparseActivations {
  int64_t d_sae = 0;
  std::vector<int64_t> indptr{0};  // row r spans [indptr[r], indptr[r+1])
  std::vector<int32_t> indices;    // feature ids, ascending within a row
  std::vector<float> values;       // activations (folded units)
  std::vector<float> decoder_norm; // [d_sae]
  std::vector<std::string> ids, study_ids;
  std::map<std::string, std::string> metadata;  // as read (sae fingerprint, model, …)

  int64_t rows() const { return int64_t(indptr.size()) - 1; }
  int64_t nnz() const { return int64_t(values.size()); }
  std::span<const int32_t> row_indices(int64_t r) const {
    return {indices.data() + indptr[size_t(r)], size_t(indptr[size_t(r) + 1] - indptr[size_t(r)])};
  }
  std::span<const float> row_values(int64_t r) const {
    return {values.data() + indptr[size_t(r)], size_t(indptr[size_t(r) + 1] - indptr[size_t(r)])};
  }
  // Appends one row; indices must be ascending and < d_sae.
  void append_row(std::span<const int32_t> row_indices, std::span<const float> row_values);
};

SparseActivations read_sparse_activations(const std::filesystem::path& path);  // validates indptr/indices
void write_sparse_activations(const std::filesystem::path& path, const SparseActivations& acts,
                              const Provenance& provenance);

}  // namespace saerad
