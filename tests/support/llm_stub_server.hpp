#pragma once
// A stub LLM server on 127.0.0.1 for tests: OpenAI-compatible (POST /v1/chat/completions) and Anthropic
// (POST /v1/messages) shapes. A test gives it a handler deciding each reply (status, body, delay); the stub
// records every request and the most requests it had in flight at once. Header-only: tests that include it
// link cpp-httplib through saerad_llm.
//
//   StubLlmServer stub([](const StubRequest& r) { return StubReply::openai_json({{"answer", "yes"}}); });
//   config.url = stub.openai_url();   // http://127.0.0.1:<port>/v1
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/json_io.hpp"
#include "llm/client.hpp"

namespace saerad::testing {

struct StubRequest {
  std::string path;
  Json body;  // null when the body was not JSON
  std::map<std::string, std::string> headers;
  int index = 0;  // 0-based arrival order
  int client_port = 0;  // the client's TCP port: requests on one kept-alive connection share it
  // The user message text, for either shape.
  std::string user_text() const {
    if (!body.is_object() || !body.contains("messages")) return {};
    for (const auto& m : body["messages"])
      if (m.value("role", "") == "user" && m.contains("content") && m["content"].is_string()) return m["content"];
    return {};
  }
};

struct StubReply {
  int status = 200;
  std::string body;
  double delay_s = 0;  // sleep before answering (timeouts, concurrency)
  std::map<std::string, std::string> headers;

  // A chat completion whose message content is `content` (any text: JSON or not).
  static StubReply openai_text(const std::string& content, int prompt_tokens = 11, int completion_tokens = 7) {
    Json body = {{"id", "chatcmpl-stub"},
                 {"object", "chat.completion"},
                 {"choices", Json::array({{{"index", 0},
                                           {"message", {{"role", "assistant"}, {"content", content}}},
                                           {"finish_reason", "stop"}}})},
                 {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}}}};
    return {200, body.dump(), 0, {}};
  }
  static StubReply openai_json(const Json& value, int prompt_tokens = 11, int completion_tokens = 7) {
    return openai_text(value.dump(), prompt_tokens, completion_tokens);
  }
  // An Anthropic message whose only content block is a tool_use of `tool` with `input`.
  static StubReply anthropic_tool(const std::string& tool, const Json& input, int input_tokens = 13, int output_tokens = 5) {
    Json body = {{"id", "msg_stub"},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"content", Json::array({{{"type", "tool_use"}, {"id", "toolu_1"}, {"name", tool}, {"input", input}}})},
                 {"stop_reason", "tool_use"},
                 {"usage", {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}}}};
    return {200, body.dump(), 0, {}};
  }
  static StubReply error(int status, const std::string& message = "stub error") {
    return {status, Json{{"error", {{"message", message}}}}.dump(), 0, {}};
  }
};

class StubLlmServer {
 public:
  using Handler = std::function<StubReply(const StubRequest&)>;

  explicit StubLlmServer(Handler handler) : handler_(std::move(handler)) {
    // Enough worker threads that the stub never limits a client's concurrency.
    server_.new_task_queue = [] { return new httplib::ThreadPool(24); };
    server_.set_keep_alive_max_count(1000);  // so a test can see a client reuse its connections
    server_.set_tcp_nodelay(true);           // like real servers: no Nagle delay on small replies
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      StubRequest request;
      request.path = req.path;
      request.client_port = req.remote_port;
      request.body = Json::parse(req.body, nullptr, false);
      if (request.body.is_discarded()) request.body = Json();
      for (const auto& [k, v] : req.headers) request.headers[k] = v;
      {
        std::lock_guard lock(mutex_);
        request.index = static_cast<int>(requests_.size());
        requests_.push_back(request);
      }
      const int now = ++in_flight_;
      for (int seen = max_in_flight_.load(); now > seen && !max_in_flight_.compare_exchange_weak(seen, now);) {
      }
      StubReply reply = handler_(request);
      if (reply.delay_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(reply.delay_s));
      --in_flight_;
      res.status = reply.status;
      for (const auto& [k, v] : reply.headers) res.set_header(k, v);
      res.set_content(reply.body, "application/json");
    };
    server_.Post("/v1/chat/completions", handle);
    server_.Post("/v1/messages", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("stub LLM server: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~StubLlmServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  StubLlmServer(const StubLlmServer&) = delete;
  StubLlmServer& operator=(const StubLlmServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }  // Anthropic: + /v1/messages
  std::string openai_url() const { return base_url() + "/v1"; }
  std::vector<StubRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int request_count() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(requests_.size());
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  Handler handler_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<StubRequest> requests_;
  std::atomic<int> in_flight_{0}, max_in_flight_{0};
};

// A client configuration for `stub`: its OpenAI-compatible URL, short backoff, no retries unless asked.
inline llm::LlmConfig stub_llm_config(const StubLlmServer& stub, const std::string& model, int max_retries = 0) {
  llm::LlmConfig config;
  config.url = stub.openai_url();
  config.model = model;
  config.max_retries = max_retries;
  config.backoff_base_s = 0.01;
  config.backoff_max_s = 0.05;
  config.timeout_s = 5;
  return config;
}

// A loopback port with nothing listening (bound, then closed): connections to it are refused.
inline int closed_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("closed_loopback_port: cannot bind 127.0.0.1");
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace saerad::testing
