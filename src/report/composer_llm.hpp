#pragma once
// The `llm` composer (method.md §4): a study's interpretable active features, most important first, go to
// an LLM with the versioned prompt llm::compose_findings_prompt (src/llm/prompts.cpp) — optional indication
// and prior report included — which writes the findings section as sentences, each citing the numbered
// findings it rests on. Citations become the provenance (sentence → feature ids); the reply's schema only
// admits numbers of features that were given, and a sentence must cite at least one, so no sentence of the
// report lacks a supporting feature.
#include "llm/client.hpp"
#include "report/composer.hpp"

namespace saerad {

struct LlmComposerOptions {
  bool use_indication = true;
  bool use_prior_report = true;
};

class LlmComposer : public Composer {
 public:
  explicit LlmComposer(llm::LlmClient& client, LlmComposerOptions options = {});
  std::string name() const override { return "llm"; }
  std::string model() const override;  // "<model> (compose-vN)"
  ComposedReport compose(const ComposerInput& input) override;  // throws Error when the request failed
  void compose_all(std::span<const ComposerInput> inputs, const std::function<void(size_t, ComposeOutcome)>& done) override;

 private:
  llm::LlmClient& client_;
  LlmComposerOptions options_;
};

// The composer's reply (schema-valid JSON) → sentences with feature ids; finding number n (1-based) is
// input.features[n-1]. Blank, unsupported and repeated sentences are dropped; repeated citations kept once.
std::vector<ComposedSentence> sentences_from_reply(const Json& reply, const ComposerInput& input);

}  // namespace saerad
