#include "serve/sae_report_pipeline.hpp"

#include "core/error.hpp"
#include "interp/feature_store.hpp"
#include "report/composer_extractive.hpp"
#include "report/report_generator.hpp"
#include "sae/sae_model.hpp"
#include "text/chexpert.hpp"
#include "vision/embed_request.hpp"
#include "vision/encoder.hpp"

namespace saerad::serve {

namespace {

class SaeReportPipeline : public ReportPipeline {
 public:
  SaeReportPipeline(const PipelineOptions& options, std::unique_ptr<ImageEncoder> encoder)
      : sae_(SaeModel::load(options.sae_dir)),
        encoder_(std::move(encoder)),
        store_(options.store, FeatureStore::Mode::ReadOnly),
        composer_(labeler_),
        generator_(sae_, store_, composer_, report_options_for(store_, options.max_features, options.min_importance)) {
    if (encoder_->dim() != sae_.d_in())
      fail_input("the encoder {} makes {}-dim embeddings, but the SAE in {} takes d_in = {}", encoder_->fingerprint(),
                 encoder_->dim(), options.sae_dir, sae_.d_in());
  }

  std::string encoder_fingerprint() const override { return encoder_->fingerprint(); }
  std::string sae_fingerprint() const override { return sae_.fingerprint(); }
  std::string sae_embeddings_model() const override { return sae_.embeddings_model(); }

  Json report(const Image& image) override {
    std::vector<float> embedding(size_t(encoder_->dim()));
    encoder_->encode({&image, 1}, embedding.data());
    GeneratedReport r = generator_.generate(embedding, StudyContext{.study_id = "upload"});
    if (!r.error.empty()) fail("report composer failed: {}", r.error);
    Json out = r.to_json();
    out["composer"] = r.composer;
    return out;
  }

 private:
  SaeModel sae_;
  std::unique_ptr<ImageEncoder> encoder_;
  FeatureStore store_;
  ChexpertLabeler labeler_;
  ExtractiveComposer composer_;
  ReportGenerator generator_;
};

}  // namespace

std::unique_ptr<ReportPipeline> make_sae_report_pipeline(const PipelineOptions& options) {
  std::string encoder = options.encoder;
  if (encoder.empty() && options.model_dir.empty()) {
    // Neither given: the builtin encoder when that is what the SAE was trained on.
    const std::string trained_on = SaeModel::load(options.sae_dir).embeddings_model();
    if (trained_on.rfind("builtin", 0) != 0)
      fail_input("serve: pass --model DIR (the SAE in {} was trained on embeddings of `{}`) or --encoder builtin",
                 options.sae_dir, trained_on.empty() ? "an unknown encoder" : trained_on);
    encoder = "builtin";
  }
  return std::make_unique<SaeReportPipeline>(options, make_encoder(options.model_dir, encoder));
}

}  // namespace saerad::serve
