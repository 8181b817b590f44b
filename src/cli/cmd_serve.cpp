// saerad serve — the web viewer: browse features, open studies, upload an image, review reports.
#include "cli/command.hpp"
#include "serve/serve_app.hpp"

namespace saerad::cli {
namespace {

Registration reg{{
    .name = "serve",
    .summary = "Web viewer: browse features, see why each sentence was written, upload an X-ray, review reports",
    .group = Group::View,
    .setup = [](CLI::App& cmd) -> Runner {
      auto o = std::make_shared<serve::ServeOptions>();
      cmd.add_option("--features", o->features, "Feature store (features.db from `interpret`)")->required()->check(CLI::ExistingFile);
      cmd.add_option("--sae", o->sae, "SAE directory the store was interpreted with")->required()->check(CLI::ExistingDirectory);
      cmd.add_option("--studies", o->studies, "studies.csv (reports and images of the studies)")->check(CLI::ExistingFile);
      cmd.add_option("--image-root", o->image_roots, "Directory images may be read from (repeatable); nothing outside is served")
          ->check(CLI::ExistingDirectory);
      cmd.add_option("--model", o->model, "DINOv2 / Rad-DINO model folder for uploads")->check(CLI::ExistingDirectory);
      cmd.add_option("--encoder", o->encoder, "`builtin`: the weight-free encoder (instead of --model)");
      cmd.add_option("--host", o->host, "Address to bind (default loopback only)")->capture_default_str();
      cmd.add_option("--port", o->port, "Port")->capture_default_str()->check(CLI::Range(1, 65535));
      cmd.add_option("--upload-limit-mb", o->upload_limit_mb, "Largest accepted upload (larger: 413)")->capture_default_str();
      cmd.add_option("--http-threads", o->threads, "HTTP worker threads")->capture_default_str()->check(CLI::Range(2, 256));
      cmd.add_option("--max-features", o->max_features,
                     "At most this many features per uploaded report (0 = all; default: the store's recorded setting)");
      cmd.add_option("--min-importance", o->min_importance,
                     "Leave out features below this importance (default: the store's recorded setting, else 0)");
      return [o] { serve::run_viewer(*o); };
    },
}};

}  // namespace
}  // namespace saerad::cli
