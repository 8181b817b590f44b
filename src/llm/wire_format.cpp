#include "llm/wire_format.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "llm/json_schema.hpp"

namespace saerad::llm {

std::string Url::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", scheme, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

Url parse_url(const std::string& text) {
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) fail_input("LLM URL '{}': expected http://host[:port][/path]", text);
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https")
    fail_input("LLM URL '{}': scheme must be http or https, not '{}'", text, url.scheme);
  std::string rest = text.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  if (authority.find('@') != std::string::npos)
    fail_input("LLM URL '{}': credentials in the URL are not supported (use the API key variable)", text);
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string::npos) fail_input("LLM URL '{}': unclosed '[' in the host", text);
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) fail_input("LLM URL '{}': no host", text);
  url.host = to_lower(url.host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535)
      fail_input("LLM URL '{}': bad port '{}'", text, port_text);
    url.port = port;
  }
  return url;
}

namespace {
int max_tokens_of(const LlmConfig& config, const LlmRequest& request) {
  return request.max_tokens.value_or(config.max_tokens);
}
}  // namespace

Json openai_body(const LlmConfig& config, const LlmRequest& request, OutputMode mode) {
  Json messages = Json::array();
  if (!request.system.empty()) messages.push_back({{"role", "system"}, {"content", request.system}});
  messages.push_back({{"role", "user"}, {"content", request.user}});
  Json body = {{"model", config.model},
               {"messages", messages},
               {"temperature", config.temperature},
               {"max_tokens", max_tokens_of(config, request)},
               {"stream", false}};
  if (config.seed) body["seed"] = *config.seed;
  if (mode == OutputMode::JsonSchema) {
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", request.schema_name}, {"schema", request.schema}, {"strict", true}}}};
  } else {
    body["response_format"] = {{"type", "json_object"}, {"schema", request.schema}};
  }
  return body;
}

Json anthropic_body(const LlmConfig& config, const LlmRequest& request) {
  Json body = {
      {"model", config.model},
      {"max_tokens", max_tokens_of(config, request)},
      {"temperature", config.temperature},
      {"messages", Json::array({{{"role", "user"}, {"content", request.user}}})},
      {"tools", Json::array({{{"name", request.schema_name},
                              {"description", "Record the answer in the required structure."},
                              {"input_schema", request.schema}}})},
      {"tool_choice", {{"type", "tool"}, {"name", request.schema_name}}}};
  if (!request.system.empty()) body["system"] = request.system;
  return body;
}

namespace {
int64_t usage_field(const Json& body, const char* name) {
  if (!body.contains("usage") || !body["usage"].is_object()) return 0;
  const Json& usage = body["usage"];
  return usage.contains(name) && usage[name].is_number_integer() ? usage[name].get<int64_t>() : 0;
}
}  // namespace

WireReply parse_openai_reply(const Json& body) {
  WireReply reply;
  reply.input_tokens = usage_field(body, "prompt_tokens");
  reply.output_tokens = usage_field(body, "completion_tokens");
  if (!body.contains("choices") || !body["choices"].is_array() || body["choices"].empty()) {
    reply.problem = "reply has no choices";
    return reply;
  }
  const Json& choice = body["choices"][0];
  const Json message = choice.value("message", Json::object());
  if (message.contains("refusal") && message["refusal"].is_string() && !message["refusal"].get<std::string>().empty()) {
    reply.raw = message["refusal"].get<std::string>();
    reply.problem = "the model refused: " + reply.raw;
    return reply;
  }
  if (!message.contains("content") || !message["content"].is_string()) {
    reply.problem = "reply message has no text content";
    return reply;
  }
  reply.raw = message["content"].get<std::string>();
  reply.value = extract_json_object(reply.raw);
  if (!reply.value) {
    const bool truncated = choice.value("finish_reason", Json()) == "length";
    reply.problem = truncated ? "reply cut off at max_tokens before the JSON closed" : "reply is not a JSON object";
  }
  return reply;
}

WireReply parse_anthropic_reply(const Json& body, const std::string& tool_name) {
  WireReply reply;
  reply.input_tokens = usage_field(body, "input_tokens");
  reply.output_tokens = usage_field(body, "output_tokens");
  if (!body.contains("content") || !body["content"].is_array()) {
    reply.problem = "reply has no content";
    return reply;
  }
  for (const Json& block : body["content"]) {
    if (block.value("type", "") == "tool_use" && block.value("name", "") == tool_name && block.contains("input")) {
      reply.raw = block["input"].dump();
      if (block["input"].is_object()) reply.value = block["input"];
      else reply.problem = "tool input is not an object";
      return reply;
    }
    if (block.value("type", "") == "text" && block.contains("text") && block["text"].is_string())
      reply.raw += block["text"].get<std::string>();
  }
  reply.problem = body.value("stop_reason", Json()) == "max_tokens" ? "reply cut off at max_tokens before the tool call"
                                                                      : "reply has no tool call to " + tool_name;
  return reply;
}

}  // namespace saerad::llm
