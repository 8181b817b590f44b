#include "report/composer_llm.hpp"

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "llm/prompts.hpp"

namespace saerad {

namespace {
llm::Prompt prompt_for(const ComposerInput& input, const LlmComposerOptions& options) {
  std::vector<llm::ComposeItem> items;
  items.reserve(input.features.size());
  for (const auto& f : input.features) items.push_back({f.description, f.importance});
  return llm::compose_findings_prompt(items, options.use_indication ? input.indication : std::string(),
                                      options.use_prior_report ? input.prior_report : std::string());
}
// Small models echo the prompt's list markers ("1. [70%] Effusion."): drop a leading "N." and "[N%]".
std::string strip_echoed_markers(std::string sentence) {
  static const std::regex marker(R"(^\s*(\d{1,2}\.\s+)?(\[\d{1,3}%\]\s*)?)");
  return std::regex_replace(sentence, marker, "", std::regex_constants::format_first_only);
}
}  // namespace

LlmComposer::LlmComposer(llm::LlmClient& client, LlmComposerOptions options) : client_(client), options_(options) {}

std::string LlmComposer::model() const {
  return client_.config().model + " (" + llm::compose_findings_prompt({}, "", "").version + ")";
}

std::vector<ComposedSentence> sentences_from_reply(const Json& reply, const ComposerInput& input) {
  std::vector<ComposedSentence> sentences;
  for (const auto& item : reply.value("sentences", Json::array())) {
    ComposedSentence s;
    s.sentence = strip_echoed_markers(collapse_whitespace(item.value("sentence", std::string())));
    if (s.sentence.empty()) continue;
    for (const auto& number : item.value("supported_by", Json::array())) {
      if (!number.is_number()) continue;
      const auto index = static_cast<int64_t>(number.get<double>()) - 1;
      if (index < 0 || static_cast<size_t>(index) >= input.features.size()) continue;
      const int64_t id = input.features[static_cast<size_t>(index)].id;
      if (std::find(s.feature_ids.begin(), s.feature_ids.end(), id) == s.feature_ids.end()) s.feature_ids.push_back(id);
    }
    if (s.feature_ids.empty()) continue;  // unsupported: the schema forbids it, but a cached/odd reply may not
    const bool repeated = std::any_of(sentences.begin(), sentences.end(),
                                      [&](const ComposedSentence& earlier) { return iequals(earlier.sentence, s.sentence); });
    if (repeated) continue;  // small models repeat themselves
    sentences.push_back(std::move(s));
  }
  return sentences;
}

ComposedReport LlmComposer::compose(const ComposerInput& input) {
  std::optional<ComposedReport> result;
  std::string error;
  compose_all(std::span(&input, 1), [&](size_t, ComposeOutcome outcome) {
    result = std::move(outcome.report);
    error = std::move(outcome.error);
  });
  if (!result) fail("study {}: {}", input.study_id, error);
  return *result;
}

void LlmComposer::compose_all(std::span<const ComposerInput> inputs,
                              const std::function<void(size_t, ComposeOutcome)>& done) {
  auto empty_report = [&] {
    ComposedReport r;
    r.composer = name();
    r.composer_model = model();
    return r;
  };
  std::vector<llm::LlmRequest> requests;
  std::vector<size_t> input_of_request;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].features.empty()) {  // nothing to say, nothing to ask
      done(i, {empty_report(), {}});
      continue;
    }
    requests.push_back(prompt_for(inputs[i], options_).request("study " + inputs[i].study_id));
    input_of_request.push_back(i);
  }
  client_.complete_all(requests, [&](size_t r, const llm::LlmResult& result) {
    const size_t i = input_of_request[r];
    if (result.status == llm::LlmStatus::DryRun) {
      done(i, {std::nullopt, "dry run: nothing sent"});
      return;
    }
    if (!result.ok()) {
      done(i, {std::nullopt, result.error});
      return;
    }
    ComposedReport report = empty_report();
    report.sentences = sentences_from_reply(result.value, inputs[i]);
    if (report.sentences.empty()) {
      done(i, {std::nullopt, "the LLM wrote no sentence that cites a given finding"});
      return;
    }
    done(i, {std::move(report), {}});
  });
}

}  // namespace saerad
