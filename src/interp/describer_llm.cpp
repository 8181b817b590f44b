#include "interp/describer_llm.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "llm/prompts.hpp"

namespace saerad {

namespace {
llm::Prompt prompt_for(const DescriberInput& input, const LlmDescriberOptions& options) {
  std::vector<std::string> reports;
  reports.reserve(input.examples.size());
  for (const auto& example : input.examples) reports.push_back(example.report);
  return llm::describe_feature_prompt(reports, options.max_chars_per_report);
}

bool has_any_report(const DescriberInput& input) {
  for (const auto& example : input.examples)
    if (!trim(example.report).empty()) return true;
  return false;
}
}  // namespace

LlmDescriber::LlmDescriber(llm::LlmClient& client, LlmDescriberOptions options) : client_(client), options_(options) {}

std::string LlmDescriber::model() const { return client_.config().model; }

std::string LlmDescriber::prompt_version() const { return llm::describe_feature_prompt({}).version; }

Description description_from_reply(const Json& reply, size_t example_count) {
  Description d;
  d.description = collapse_whitespace(reply.value("description", std::string()));
  d.interpretable = reply.value("interpretable", false) && !d.description.empty();
  if (!d.interpretable) d.description.clear();
  for (const auto& number : reply.value("evidence", Json::array())) {
    if (!number.is_number()) continue;
    const int rank = static_cast<int>(number.get<double>()) - 1;
    if (rank >= 0 && static_cast<size_t>(rank) < example_count &&
        std::find(d.evidence.begin(), d.evidence.end(), rank) == d.evidence.end())
      d.evidence.push_back(rank);
  }
  std::sort(d.evidence.begin(), d.evidence.end());
  return d;
}

Description LlmDescriber::describe(const DescriberInput& input) {
  std::optional<Description> result;
  std::string error;
  describe_all(std::span(&input, 1), [&](size_t, DescribeOutcome outcome) {
    result = std::move(outcome.description);
    error = std::move(outcome.error);
  });
  if (!result) fail("feature {}: {}", input.feature_id, error);
  return *result;
}

void LlmDescriber::describe_all(std::span<const DescriberInput> inputs,
                                const std::function<void(size_t, DescribeOutcome)>& done) {
  const std::string version = prompt_version();
  auto finish = [&](Description d) {
    d.describer = name();
    d.describer_model = model();
    d.prompt_version = version;
    return d;
  };
  // Features without any report text are decided here (nothing to ask); the rest go to the LLM.
  std::vector<llm::LlmRequest> requests;
  std::vector<size_t> input_of_request;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!has_any_report(inputs[i])) {
      done(i, {finish(Description{}), {}});
      continue;
    }
    requests.push_back(prompt_for(inputs[i], options_).request("feature " + std::to_string(inputs[i].feature_id)));
    input_of_request.push_back(i);
  }
  if (client_.config().dry_run) {
    for (size_t r = 0; r < requests.size(); ++r) {
      if (r < options_.dry_run_shown_prompts)
        log_info("--- dry run, prompt for " + requests[r].tag + " ---\n" + requests[r].system + "\n\n" + requests[r].user);
      done(input_of_request[r], {std::nullopt, "dry run: nothing sent"});
    }
    client_.complete_all(requests);  // counts the token estimate
    return;
  }
  client_.complete_all(requests, [&](size_t r, const llm::LlmResult& result) {
    const size_t i = input_of_request[r];
    if (!result.ok()) {
      done(i, {std::nullopt, result.error});
      return;
    }
    done(i, {finish(description_from_reply(result.value, inputs[i].examples.size())), {}});
  });
}

std::string LlmStatementJudge::name() const { return "llm:" + client_.config().model; }

std::vector<std::optional<bool>> LlmStatementJudge::states(const Description& description,
                                                           const std::vector<std::string>& reports) {
  if (!description.interpretable || trim(description.description).empty()) return {};
  std::vector<std::optional<bool>> answers(reports.size());
  std::vector<llm::LlmRequest> requests;
  std::vector<size_t> report_of_request;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (trim(reports[i]).empty()) continue;
    requests.push_back(llm::statement_judge_prompt(description.description, reports[i]).request("judge report " + std::to_string(i)));
    report_of_request.push_back(i);
  }
  auto results = client_.complete_all(requests);
  for (size_t r = 0; r < results.size(); ++r) {
    if (results[r].ok()) answers[report_of_request[r]] = results[r].value.value("answer", "") == "yes";
  }
  return answers;
}

}  // namespace saerad
