#pragma once
// Every prompt saerad sends to an LLM lives here (src/llm/prompts.cpp), each with a version that is stored
// beside what it produced (features.prompt_version, predictions' composer_model, the cache key), so a
// changed prompt never silently mixes with old results. Change a text → bump its version.
//
// Each builder returns the system + user text and the JSON schema of the reply. Items are numbered from 1
// in the prompt (small models cite "Report 3" far more reliably than 0-based ranks); callers map back.
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "llm/client.hpp"

namespace saerad::llm {

struct Prompt {
  std::string version;
  std::string system;
  std::string user;
  std::string schema_name;
  Json schema;
  LlmRequest request(std::string tag) const { return {std::move(tag), system, user, schema_name, schema, std::nullopt}; }
};

// Feature description (method.md §3): the reports of a feature's top-activating studies → the finding they
// share, or none. Reply: {interpretable: bool, description: string, evidence: [report numbers, 1-based]}.
// Empty reports are listed as "(no findings text)" so numbering stays aligned with the examples.
Prompt describe_feature_prompt(const std::vector<std::string>& reports, size_t max_chars_per_report = 1200);

// Description scoring: does this report state the described finding? Reply: {answer: "yes"|"no"}.
Prompt statement_judge_prompt(const std::string& description, const std::string& report);

// Report composition (method.md §4): descriptions ordered by importance (most important first), optional
// indication and prior report → a findings section whose every sentence cites the finding numbers it rests on.
// Reply: {sentences: [{sentence, supported_by: [1-based numbers]}]}.
struct ComposeItem {
  std::string description;
  double importance = 0;  // normalised, 0..1
};
Prompt compose_findings_prompt(const std::vector<ComposeItem>& items, const std::string& indication,
                               const std::string& prior_report);

// RadFact-style entailment: is `phrase` supported by `premise_report`? Reply: {entailed: bool}.
Prompt entailment_prompt(const std::string& phrase, const std::string& premise_report);

}  // namespace saerad::llm
