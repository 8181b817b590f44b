#include "serve/viewer_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "serve/feature_index.hpp"
#include "serve/http_error.hpp"
#include "serve/image_access.hpp"
#include "serve/review_store.hpp"
#include "serve/store_pool.hpp"
#include "serve/store_queries.hpp"
#include "serve/web_assets.hpp"

namespace saerad::serve {

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr size_t kRecentUploads = 256;

std::string dump(const Json& value) {
  // Stored or user-supplied text may hold invalid UTF-8: replace it rather than throw mid-response.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void send_json(httplib::Response& res, const Json& value, int status = 200) {
  res.status = status;
  res.set_content(dump(value), kJson);
}

const char* reason(int status) {
  switch (status) {
    case 400: return "bad request";
    case 403: return "forbidden";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "upload larger than the limit";
    case 415: return "unsupported media type";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal error" : "request failed";
  }
}

int64_t int_param(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  const std::string value = req.get_param_value(name);
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || parsed < lo || parsed > hi)
    fail_http(400, "{}: expected an integer in [{}, {}]", name, lo, hi);
  return parsed;
}

std::optional<bool> bool_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v == "any" || v == "all") return std::nullopt;
  if (v == "1" || v == "true" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "no") return false;
  fail_http(400, "{}: expected true, false or any", name);
}

int64_t parse_feature_id(const std::string& text) {
  int64_t id = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id < 0)
    fail_http(400, "feature id: expected a non-negative integer");
  return id;
}

std::string checked_study_id(const std::string& text) {
  if (!is_valid_study_id(text)) fail_http(400, "study id: 1–128 characters of letters, digits and . _ : -");
  return text;
}

// httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed in Debian's compiled library): a burst
// of clients overflows it and the kernel resets connections. Listening again on the bound socket widens it.
class HttpServer : public httplib::Server {
 public:
  void widen_listen_backlog() {
    if (::listen(svr_sock_, SOMAXCONN) != 0) log_warning("serve: could not widen the listen backlog");
  }
};

}  // namespace

struct ViewerServer::State {
  ViewerConfig config;
  StudyCatalog studies;
  std::unique_ptr<ReportPipeline> pipeline;
  StorePool pool;
  FeatureIndex index;
  std::unique_ptr<ReviewStore> reviews;
  ThumbnailCache thumbnails;
  std::string store_sae, store_model;  // the store's meta fingerprints
  HttpServer http;
  int port = 0;

  std::mutex pipeline_mutex;  // one upload runs through the encoder at a time
  std::mutex uploads_mutex;
  std::list<std::string> upload_order;
  std::unordered_map<std::string, Json> uploads;  // upload id → its report page

  State(ViewerConfig c, StudyCatalog s, std::unique_ptr<ReportPipeline> p)
      : config(std::move(c)),
        studies(std::move(s)),
        pipeline(std::move(p)),
        pool(config.features_db),
        index(load_index()),
        reviews(std::make_unique<ReviewStore>(config.features_db)),
        thumbnails(config.image_roots, config.thumbnail_cache_bytes) {
    auto store = pool.borrow();
    store_sae = store->meta("sae_fingerprint").value_or("");
    store_model = store->meta("embeddings_model").value_or("");
  }

  FeatureIndex load_index() {
    auto store = pool.borrow();
    return FeatureIndex::load(*store);
  }

  bool study_known(const std::string& id) {
    if (studies.find(id)) return true;
    std::lock_guard lock(uploads_mutex);
    return uploads.count(id) > 0;
  }

  void remember_upload(const std::string& id, const Json& page) {
    std::lock_guard lock(uploads_mutex);
    if (uploads.emplace(id, page).second) {
      upload_order.push_back(id);
      if (upload_order.size() > kRecentUploads) {
        uploads.erase(upload_order.front());
        upload_order.pop_front();
      }
    }
  }

  // Runs a handler, turning every exception into a JSON error with the right status.
  void guarded(const httplib::Request&, httplib::Response& res, const std::function<void()>& handler) {
    try {
      handler();
    } catch (const HttpError& e) {
      send_json(res, {{"error", e.what()}, {"status", e.status()}}, e.status());
    } catch (const InputError& e) {
      send_json(res, {{"error", e.what()}, {"status", 400}}, 400);
    } catch (const std::exception& e) {
      log_warning(std::string("serve: internal error: ") + e.what());
      send_json(res, {{"error", "internal error (see the server log)"}, {"status", 500}}, 500);
    }
  }

  void route(const char* method, const std::string& pattern,
             std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    auto wrapped = [this, handler](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, [&] { handler(req, res); });
    };
    if (std::string_view(method) == "GET")
      http.Get(pattern, wrapped);
    else
      http.Post(pattern, wrapped);
  }

  void install_routes() {
    route("GET", "/", [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "index.html"); });
    route("GET", R"(/assets/([A-Za-z0-9_.-]+))",
          [](const httplib::Request& req, httplib::Response& res) { serve_asset(res, req.matches[1].str()); });
    route("GET", "/api/health", [this](const httplib::Request&, httplib::Response& res) { health(res); });
    route("GET", "/api/features", [this](const httplib::Request& req, httplib::Response& res) { features(req, res); });
    route("GET", R"(/api/features/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      const int64_t id = parse_feature_id(req.matches[1].str());
      Json detail = feature_detail(*pool.borrow(), studies, id);
      if (detail.is_null()) fail_http(404, "no feature {}", id);
      send_json(res, detail);
    });
    route("GET", R"(/api/studies/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = checked_study_id(req.matches[1].str());
      {
        std::lock_guard lock(uploads_mutex);
        if (auto it = uploads.find(id); it != uploads.end()) return send_json(res, it->second);
      }
      Json detail = study_detail(*pool.borrow(), studies, index, id);
      if (detail.is_null()) fail_http(404, "no study '{}'", id);
      send_json(res, detail);
    });
    route("GET", R"(/thumbs/(.*))", [this](const httplib::Request& req, httplib::Response& res) { thumb(req, res); });
    route("POST", "/api/report", [this](const httplib::Request& req, httplib::Response& res) { upload(req, res); });
    route("POST", "/api/reviews", [this](const httplib::Request& req, httplib::Response& res) { review(req, res); });
    route("GET", "/api/reviews.csv", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Disposition", "attachment; filename=\"reviews.csv\"");
      res.set_content(reviews->export_csv(), "text/csv; charset=utf-8");
    });
    route("GET", "/api/reviews/summary", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, {{"total", reviews->total()}, {"reviewers", reviews->counts()}});
    });
  }

  static void serve_asset(httplib::Response& res, const std::string& name) {
    const WebAsset* asset = find_web_asset(name);
    if (!asset) fail_http(404, "no such asset");
    res.set_content(std::string(asset->bytes), std::string(asset->content_type).c_str());
  }

  void health(httplib::Response& res) {
    send_json(res, {{"status", "ok"},
                    {"version", version_string()},
                    {"features", index.size()},
                    {"interpretable", index.interpretable_count()},
                    {"studies", studies.size()},
                    {"reviews", reviews->total()},
                    {"upload", pipeline != nullptr},
                    {"upload_limit_bytes", config.upload_limit},
                    {"encoder", pipeline ? pipeline->encoder_fingerprint() : store_model},
                    {"sae", pipeline ? pipeline->sae_fingerprint() : store_sae}});
  }

  void features(const httplib::Request& req, httplib::Response& res) {
    FeatureListQuery q;
    q.text = req.get_param_value("q");
    if (q.text.size() > 200) fail_http(400, "q: longer than 200 characters");
    const std::string sort = req.get_param_value("sort");
    q.sort = sort.empty() ? FeatureSortKey::Id : parse_feature_sort_key(sort.substr(0, 40));
    const std::string order = req.get_param_value("order");
    if (!order.empty() && order != "asc" && order != "desc") fail_http(400, "order: asc or desc");
    q.descending = order.empty() ? q.sort != FeatureSortKey::Id : order == "desc";
    q.interpretable = bool_param(req, "interpretable");
    q.page = int_param(req, "page", 1, 1, 1'000'000'000);
    q.page_size = int_param(req, "page_size", 50, 1, kMaxPageSize);
    send_json(res, index.query(q));
  }

  void thumb(const httplib::Request& req, httplib::Response& res) {
    const std::string id = checked_study_id(req.matches[1].str());
    const int size = int(int_param(req, "size", 256, 32, 2048));
    if (!studies.find(id)) fail_http(404, "no study '{}'", id);
    auto file = studies.display_image(id);
    if (!file) fail_http(404, "study '{}' has no image", id);
    auto png = thumbnails.png(*file, size);
    res.set_header("Cache-Control", "private, max-age=3600");
    res.set_content(*png, "image/png");
  }

  void upload(const httplib::Request& req, httplib::Response& res) {
    if (!pipeline) fail_http(503, "uploads need --sae and an encoder (--model or --encoder builtin)");
    if (!req.is_multipart_form_data()) fail_http(400, "expected multipart/form-data with a field `image`");
    if (!req.has_file("image")) fail_http(400, "multipart field `image` missing");
    const httplib::MultipartFormData file = req.get_file_value("image");
    if (file.content.empty()) fail_http(400, "`image` is empty");
    const auto start = std::chrono::steady_clock::now();
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(file.content.data()), file.content.size());
    Image image;
    try {
      image = decode_image(bytes, "upload");  // by content, whatever the file name says
    } catch (const std::exception& e) {
      fail_http(415, "not a readable PNG, JPEG or DICOM image: {}", e.what());
    }
    const auto decoded = std::chrono::steady_clock::now();
    Json generated;
    {
      std::lock_guard lock(pipeline_mutex);
      generated = pipeline->report(image);
    }
    const auto done = std::chrono::steady_clock::now();
    const std::string id = "upload:" + sha256_hex(file.content).substr(0, 16);
    Json report = annotate_report(generated.value("report", std::string()),
                                  generated.contains("provenance") ? generated["provenance"] : Json(), index);
    report["composer"] = generated.value("composer", std::string("upload"));
    report["created"] = utc_timestamp();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    Json page = {{"study_id", id},
                 {"upload", true},
                 {"file_name", file.filename},
                 {"width", image.width},
                 {"height", image.height},
                 {"images", Json::array()},
                 {"report_sentences", Json::array()},
                 {"has_image", false},
                 {"reports", Json::array({report})},
                 {"timing_ms", {{"decode", ms(start, decoded)}, {"report", ms(decoded, done)}}}};
    remember_upload(id, page);
    send_json(res, page);
  }

  void review(const httplib::Request& req, httplib::Response& res) {
    const Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) fail_http(400, "body: not valid JSON");
    ReviewSubmission submission = parse_review_submission(
        body, [this](int64_t id) { return index.find(id) != nullptr; },
        [this](const std::string& id) { return is_valid_study_id(id) && study_known(id); });
    StoreResult result = reviews->store(submission);
    send_json(res, {{"stored", result.stored}, {"duplicate", result.duplicate},
                    {"submission_id", submission.submission_id}},
              result.duplicate ? 200 : 201);
  }
};

ViewerServer::ViewerServer(ViewerConfig config, StudyCatalog studies, std::unique_ptr<ReportPipeline> pipeline)
    : state_(std::make_unique<State>(std::move(config), std::move(studies), std::move(pipeline))) {
  auto& http = state_->http;
  const int threads = std::max(2, state_->config.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  http.set_payload_max_length(state_->config.upload_limit);
  http.set_keep_alive_timeout(2);
  http.set_read_timeout(30);
  http.set_write_timeout(30);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"X-Frame-Options", "DENY"},
                            {"Content-Security-Policy",
                             "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
                             "object-src 'none'; frame-ancestors 'none'"}});
  // Statuses set by httplib itself (404 no route, 413 too large, 400 unparsable) get the same JSON body.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) send_json(res, {{"error", reason(res.status)}, {"status", res.status}}, res.status);
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_json(res, {{"error", "internal error"}, {"status", 500}}, 500);
  });
  state_->install_routes();
}

ViewerServer::~ViewerServer() { stop(); }

int ViewerServer::bind() {
  auto& s = *state_;
  if (s.config.port == 0) {
    s.port = s.http.bind_to_any_port(s.config.host);
    if (s.port < 0) fail_input("serve: cannot bind {} on any port", s.config.host);
  } else {
    if (!s.http.bind_to_port(s.config.host, s.config.port))
      fail_input("serve: cannot bind {}:{} (in use? pass --port)", s.config.host, s.config.port);
    s.port = s.config.port;
  }
  s.http.widen_listen_backlog();
  return s.port;
}

void ViewerServer::run() { state_->http.listen_after_bind(); }
void ViewerServer::stop() {
  if (state_) state_->http.stop();
}
void ViewerServer::wait_until_running() const {
  while (!state_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}
std::string ViewerServer::url() const {
  const std::string& host = state_->config.host;
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}:{}", v6 ? "[" + host + "]" : host, state_->port);
}

}  // namespace saerad::serve
