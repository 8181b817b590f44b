#include "eval/radfact.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "llm/prompts.hpp"
#include "text/sentences.hpp"

namespace saerad {

Json RadFactResult::to_json() const {
  Json out = {{"n", n}, {"failed_requests", failed_requests}};
  // An undefined score (no judged phrase in that direction) is left out rather than written as null.
  if (!std::isnan(logical_precision)) out["logical_precision"] = logical_precision;
  if (!std::isnan(logical_recall)) out["logical_recall"] = logical_recall;
  return out;
}

std::vector<std::string> radfact_phrases(std::string_view report, size_t max_phrases) {
  std::vector<std::string> phrases;
  for (auto& sentence : split_sentences(report, {.blank_line_ends_sentence = true})) {
    std::string s = collapse_whitespace(sentence);
    // A sentence that is only punctuation or an enumerator ("1.") states nothing.
    if (std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); })) continue;
    if (phrases.size() == max_phrases) break;
    phrases.push_back(std::move(s));
  }
  return phrases;
}

RadFactResult radfact_score(llm::LlmClient& client, const std::vector<std::string>& generated,
                            const std::vector<std::string>& references, const RadFactOptions& options) {
  if (generated.size() != references.size())
    fail_input("RadFact: {} generated reports but {} references", generated.size(), references.size());
  struct Job {
    size_t study;
    bool generated_phrase;  // true: a generated phrase against the reference (precision)
  };
  std::vector<llm::LlmRequest> requests;
  std::vector<Job> jobs;
  auto add = [&](size_t study, bool is_generated, const std::string& phrases_of, const std::string& premise) {
    for (auto& phrase : radfact_phrases(phrases_of, options.max_phrases_per_report)) {
      requests.push_back(llm::entailment_prompt(phrase, premise)
                             .request(fmt::format("study {} {} phrase", study, is_generated ? "generated" : "reference")));
      jobs.push_back({study, is_generated});
    }
  };
  for (size_t i = 0; i < generated.size(); ++i) {
    add(i, true, generated[i], references[i]);
    add(i, false, references[i], generated[i]);
  }
  RadFactResult result;
  result.n = static_cast<int64_t>(generated.size());
  result.per_study.resize(generated.size());
  auto replies = client.complete_all(requests);
  for (size_t r = 0; r < replies.size(); ++r) {
    RadFactStudy& s = result.per_study[jobs[r].study];
    if (!replies[r].ok()) {
      ++s.failed;
      ++result.failed_requests;
      continue;
    }
    const bool entailed = replies[r].value.value("entailed", false);
    if (jobs[r].generated_phrase) {
      ++s.generated_phrases;
      s.generated_entailed += entailed;
    } else {
      ++s.reference_phrases;
      s.reference_entailed += entailed;
    }
  }
  auto mean_defined = [&](auto score) {
    double sum = 0;
    int64_t count = 0;
    for (const auto& s : result.per_study) {
      const double x = score(s);
      if (std::isnan(x)) continue;
      sum += x;
      ++count;
    }
    return count ? sum / static_cast<double>(count) : NAN;
  };
  result.logical_precision = mean_defined([](const RadFactStudy& s) { return s.logical_precision(); });
  result.logical_recall = mean_defined([](const RadFactStudy& s) { return s.logical_recall(); });
  return result;
}

}  // namespace saerad
