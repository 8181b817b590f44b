#pragma once
// `saerad serve`: the HTTP server of the viewer — the embedded front-end and the JSON API it uses
// (docs/serve.md). Binds 127.0.0.1 unless told otherwise; every failure becomes a 4xx/5xx JSON error.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "serve/report_pipeline.hpp"
#include "serve/study_catalog.hpp"

namespace saerad::serve {

struct ViewerConfig {
  std::filesystem::path features_db;
  std::vector<std::filesystem::path> image_roots;
  std::string host = "127.0.0.1";
  int port = 8765;                        // 0: any free port (tests)
  size_t upload_limit = 50u << 20;        // bytes; larger bodies get 413
  int threads = 16;                       // HTTP worker threads (requests queue beyond this)
  size_t thumbnail_cache_bytes = 64u << 20;
};

class ViewerServer {
 public:
  // Opens the store (read-only connections + one writer for `reviews`), loads the feature index.
  // `pipeline` may be null: uploads then answer 503.
  ViewerServer(ViewerConfig config, StudyCatalog studies, std::unique_ptr<ReportPipeline> pipeline);
  ~ViewerServer();
  ViewerServer(const ViewerServer&) = delete;
  ViewerServer& operator=(const ViewerServer&) = delete;

  int bind();             // binds host:port (port 0 → a free one); returns the port. Throws when it cannot.
  void run();             // serves until stop(); call after bind()
  void stop();
  void wait_until_running() const;  // for tests starting run() on another thread
  std::string url() const;  // "http://127.0.0.1:<port>"

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace saerad::serve
