#include "serve/serve_app.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "data/manifest.hpp"
#include "interp/feature_store.hpp"
#include "serve/sae_report_pipeline.hpp"
#include "serve/viewer_server.hpp"

namespace saerad::serve {

void run_viewer(const ServeOptions& options) {
  if (!options.model.empty() && !options.encoder.empty())
    fail_input("serve: pass either --model or --encoder, not both");
  if (!options.encoder.empty() && options.encoder != "builtin")
    fail_input("serve: --encoder must be `builtin` (or pass --model DIR for DINOv2 / Rad-DINO)");
  if (options.upload_limit_mb <= 0) fail_input("serve: --upload-limit-mb must be positive");
  if (options.image_roots.empty() && !options.studies.empty())
    log_warning("serve: no --image-root given: study images and thumbnails are off");

  std::unique_ptr<ReportPipeline> pipeline = make_sae_report_pipeline(
      {.sae_dir = options.sae, .model_dir = options.model, .encoder = options.encoder, .store = options.features,
       .max_features = options.max_features, .min_importance = options.min_importance});
  {
    FeatureStore store(options.features, FeatureStore::Mode::ReadOnly);
    std::map<std::string, std::string> meta;
    for (const char* key : {"sae_fingerprint", "embeddings_model"})
      if (auto value = store.meta(key)) meta[key] = *value;
    check_store_fingerprints(options.features, meta, pipeline->sae_fingerprint(), pipeline->sae_embeddings_model(),
                             pipeline->encoder_fingerprint());
  }
  StudyCatalog studies = options.studies.empty() ? StudyCatalog() : StudyCatalog(read_manifest(options.studies));

  ViewerConfig config;
  config.features_db = options.features;
  config.image_roots = options.image_roots;
  config.host = options.host;
  config.port = options.port;
  config.upload_limit = size_t(options.upload_limit_mb * 1024 * 1024);
  config.threads = options.threads;
  ViewerServer server(std::move(config), std::move(studies), std::move(pipeline));
  server.bind();
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1")
    log_warning("serve: listening on " + options.host + " — reachable from other machines; the viewer has no login");
  log_info("serve: " + server.url() + "  (Ctrl-C stops)");
  server.run();
}

}  // namespace saerad::serve
