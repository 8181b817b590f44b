#include "sae/sae_encode.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/progress.hpp"

namespace saerad {

SparseActivations encode_embeddings(const SaeModel& sae, const Embeddings& e) {
  if (e.dim() != sae.d_in())
    fail_input("{} has embeddings of dimension {} but the SAE {} takes d_in = {}", e.source, e.dim(),
               sae.directory().empty() ? std::string("(in memory)") : sae.directory().string(), sae.d_in());
  if (!sae.embeddings_model().empty() && !e.model.empty() && sae.embeddings_model() != e.model)
    log_warning(fmt::format("{}: embeddings model '{}' differs from the SAE's training embeddings '{}'", e.source.string(),
                            e.model, sae.embeddings_model()));
  SparseActivations acts;
  acts.d_sae = sae.d_sae();
  acts.decoder_norm.assign(sae.decoder_norms().begin(), sae.decoder_norms().end());
  Progress progress("encode", e.size(), "embeddings");
  constexpr int64_t kChunk = 1024;
  for (int64_t start = 0; start < e.size(); start += kChunk) {
    const int64_t n = std::min(kChunk, e.size() - start);
    sae.encode(e.vectors.row(start), n, acts);
    progress.advance(n);
  }
  progress.finish();
  acts.ids = e.ids;
  acts.study_ids = e.study_ids;
  return acts;
}

Json encode_embeddings_to_file(const SaeModel& sae, const Embeddings& e, const std::filesystem::path& out) {
  SparseActivations acts = encode_embeddings(sae, e);
  acts.metadata["sae_fingerprint"] = sae.fingerprint();
  acts.metadata["sae_architecture"] = sae.architecture();
  acts.metadata["model"] = e.model;
  Provenance provenance;
  provenance.input("sae", sae.fingerprint());
  provenance.input("embeddings", e.source.string());
  write_sparse_activations(out, acts, provenance);
  const double l0 = acts.rows() ? double(acts.nnz()) / double(acts.rows()) : 0.0;
  return {{"out", out.string()}, {"rows", acts.rows()}, {"nnz", acts.nnz()}, {"l0", l0}, {"d_sae", acts.d_sae},
          {"sae_fingerprint", sae.fingerprint()}};
}

}  // namespace saerad
