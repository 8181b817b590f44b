// The ReportGenerator entry points that encode embeddings with an SAE.
#include "core/error.hpp"
#include "report/report_generator.hpp"
#include "sae/sae_model.hpp"

namespace saerad {

ReportGenerator::ReportGenerator(const SaeModel& sae, const FeatureStore& store, Composer& composer,
                                 ReportOptions options)
    : ReportGenerator(std::vector<float>(sae.decoder_norms().begin(), sae.decoder_norms().end()), store, composer,
                      options) {
  sae_ = &sae;
}

GeneratedReport ReportGenerator::generate(std::span<const float> embedding, const StudyContext& context) {
  if (!sae_) fail("ReportGenerator::generate: built from activations only; no SAE to encode an embedding");
  if (int64_t(embedding.size()) != sae_->d_in())
    fail_input("embedding has {} values; the SAE in {} takes d_in = {}", embedding.size(), sae_->directory(),
               sae_->d_in());
  SparseActivations acts;
  sae_->encode(embedding.data(), 1, acts);
  return generate_from_row(acts.row_indices(0), acts.row_values(0), context);
}

}  // namespace saerad
