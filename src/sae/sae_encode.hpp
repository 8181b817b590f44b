#pragma once
// `saerad encode`: embeddings → sparse activations file (CSR, docs/formats.md), streamed in chunks of rows so
// no dense N × m matrix exists; ids, study_ids and the SAE's fingerprint travel with it.
#include <filesystem>

#include "core/embeddings.hpp"
#include "core/json_io.hpp"
#include "core/sparse_activations.hpp"
#include "sae/sae_model.hpp"

namespace saerad {

// Errors: d mismatch (naming both files and sizes). Shows progress.
SparseActivations encode_embeddings(const SaeModel& sae, const Embeddings& embeddings);
// encode_embeddings + write (atomic) with metadata sae_fingerprint, sae_architecture, model; returns a summary.
Json encode_embeddings_to_file(const SaeModel& sae, const Embeddings& embeddings, const std::filesystem::path& out);

}  // namespace saerad
