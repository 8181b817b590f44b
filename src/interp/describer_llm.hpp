#pragma once
// The `llm` describer (method.md §3): the top-k reports of a feature go to an LLM with the versioned prompt
// llm::describe_feature_prompt (src/llm/prompts.cpp), which answers {interpretable, description, evidence}
// as structured output validated on receipt. Requests run concurrently through the client (its
// concurrency, retries, cache); each finished feature is handed to describe_all's callback at once, so an
// interrupted run keeps everything finished before it, and a rerun answers the rest from the cache.
//
// And LlmStatementJudge, the LLM yes/no judge for description scores (interp/describer.hpp).
#include "interp/describer.hpp"
#include "llm/client.hpp"

namespace saerad {

struct LlmDescriberOptions {
  size_t max_chars_per_report = 1200;  // reports are clipped to this in the prompt
  size_t dry_run_shown_prompts = 2;    // a dry run prints this many full prompts (stderr), then only totals
};

class LlmDescriber : public Describer {
 public:
  explicit LlmDescriber(llm::LlmClient& client, LlmDescriberOptions options = {});
  std::string name() const override { return "llm"; }
  std::string model() const override;
  std::string prompt_version() const override;
  Description describe(const DescriberInput& input) override;  // throws Error when the request failed
  void describe_all(std::span<const DescriberInput> inputs,
                    const std::function<void(size_t, DescribeOutcome)>& done) override;

 private:
  llm::LlmClient& client_;
  LlmDescriberOptions options_;
};

// The describer's reply (schema-valid JSON) → a Description; `example_count` maps 1-based report numbers
// back to 0-based example ranks. An interpretable reply with a blank description counts as not interpretable.
Description description_from_reply(const Json& reply, size_t example_count);

class LlmStatementJudge : public StatementJudge {
 public:
  explicit LlmStatementJudge(llm::LlmClient& client) : client_(client) {}
  std::string name() const override;  // "llm:<model>"
  // One yes/no request per non-empty report (concurrently); failed requests and empty reports → nullopt.
  // An uninterpretable or empty description → empty vector (nothing to check).
  std::vector<std::optional<bool>> states(const Description& description, const std::vector<std::string>& reports) override;

 private:
  llm::LlmClient& client_;
};

}  // namespace saerad
