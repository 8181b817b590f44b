#pragma once
// RadFact-style scoring (method.md §5) with the project's LLM client: every phrase of the generated report
// is checked for entailment against the whole reference report (logical precision), and every phrase of
// the reference against the whole generated report (logical recall). Replies are cached by the client, so
// rerunning `saerad eval --radfact` on the same reports sends nothing.
//
// Our choices (RadFact proper has an LLM split reports into phrases first): phrases are the report's
// sentences (text/sentences.hpp) — deterministic, free, and cache-friendly; the entailment prompt is
// llm::entailment_prompt (src/llm/prompts.cpp). A per-study score is the entailed fraction of its judged
// phrases; the corpus score is the mean over studies that have at least one judged phrase in that
// direction. Phrases whose request failed are left out and counted.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_io.hpp"
#include "llm/client.hpp"

namespace saerad {

struct RadFactOptions {
  size_t max_phrases_per_report = 40;  // longer reports keep their first phrases (and say so in the counts)
};

struct RadFactStudy {
  int generated_phrases = 0, reference_phrases = 0;   // judged (failed requests excluded)
  int generated_entailed = 0, reference_entailed = 0;  // entailed by the other report
  int failed = 0;
  double logical_precision() const { return generated_phrases ? double(generated_entailed) / generated_phrases : NAN; }
  double logical_recall() const { return reference_phrases ? double(reference_entailed) / reference_phrases : NAN; }
};

struct RadFactResult {
  double logical_precision = NAN, logical_recall = NAN;  // means over studies with a defined score
  int64_t n = 0;                                         // studies
  int64_t failed_requests = 0;
  std::vector<RadFactStudy> per_study;
  Json to_json() const;  // {logical_precision, logical_recall, n, failed_requests} (formats.md "radfact.*"); an undefined score is absent
};

std::vector<std::string> radfact_phrases(std::string_view report, size_t max_phrases);

// generated[i] is scored against references[i] (same length; InputError otherwise).
RadFactResult radfact_score(llm::LlmClient& client, const std::vector<std::string>& generated,
                            const std::vector<std::string>& references, const RadFactOptions& options = {});

}  // namespace saerad
