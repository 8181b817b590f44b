#pragma once
// The two request/reply shapes on the wire: OpenAI-compatible chat completions and Anthropic Messages.
// Pure functions (JSON in, JSON out) so the tests can check the exact bytes a server would see.
#include <cstdint>
#include <optional>
#include <string>

#include "core/json_io.hpp"
#include "llm/client.hpp"

namespace saerad::llm {

// How an OpenAI-compatible server is asked for structured output.
enum class OutputMode {
  JsonSchema,  // response_format {type: json_schema, json_schema: {name, schema, strict: true}} (OpenAI, vLLM, llama-server)
  JsonObject,  // response_format {type: json_object, schema} (llama-cpp-python, older servers)
};

struct Url {
  std::string scheme;  // http | https
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string path;    // without a trailing slash; may be empty
  std::string origin() const;  // scheme://host:port, what httplib::Client takes
};
Url parse_url(const std::string& url);  // InputError naming the URL when malformed

inline constexpr const char* kAnthropicDefaultUrl = "https://api.anthropic.com";
inline constexpr const char* kAnthropicVersion = "2023-06-01";

// Request body. The schema is also summarised in the user message by the callers' prompts, so a server
// that ignores response_format still has a chance to answer in shape.
Json openai_body(const LlmConfig& config, const LlmRequest& request, OutputMode mode);
Json anthropic_body(const LlmConfig& config, const LlmRequest& request);

// What a reply carried: the structured value (parsed, not yet validated), the raw text, usage.
struct WireReply {
  std::optional<Json> value;  // nullopt: no JSON object in the reply
  std::string raw;
  std::string problem;        // why value is missing (refusal, truncated, no tool call, ...)
  int64_t input_tokens = 0, output_tokens = 0;
};
WireReply parse_openai_reply(const Json& body);
WireReply parse_anthropic_reply(const Json& body, const std::string& tool_name);

}  // namespace saerad::llm
