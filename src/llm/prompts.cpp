#include "llm/prompts.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/strings.hpp"

namespace saerad::llm {

namespace {

Json integer_enum(size_t n) {  // 1..n
  Json values = Json::array();
  for (size_t i = 1; i <= n; ++i) values.push_back(static_cast<int64_t>(i));
  return {{"type", "integer"}, {"enum", values}};
}

// {type: object, properties, required: every property, additionalProperties: false} — the shape strict
// structured-output modes require.
Json closed_object(const Json& properties) {
  Json required = Json::array();
  for (const auto& [name, _] : properties.items()) required.push_back(name);
  return {{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}};
}

std::string clip(const std::string& text, size_t max_chars) {
  std::string s = collapse_whitespace(text);
  if (s.size() <= max_chars) return s;
  size_t cut = s.rfind(' ', max_chars);
  return s.substr(0, cut == std::string::npos ? max_chars : cut) + " …";
}

}  // namespace

Prompt describe_feature_prompt(const std::vector<std::string>& reports, size_t max_chars_per_report) {
  Prompt p;
  p.version = "describe-v1";
  p.schema_name = "feature_description";
  p.system =
      "You are a radiologist reviewing chest X-ray reports. You are shown the reports of the studies that most "
      "strongly activate one feature of an image model. Your task is to state the radiological finding that these "
      "reports have in common, or to say that they share none.\n"
      "Rules:\n"
      "- Describe the shared finding in one or two short sentences, in the words a radiologist would use, with "
      "its side and severity when the reports agree on them.\n"
      "- Name only what most of the reports actually state. Do not guess, do not add findings.\n"
      "- A normal study can be the shared finding.\n"
      "- If the reports share no finding, set interpretable to false and leave description empty.\n"
      "- evidence lists the numbers of the reports that state the finding.\n"
      "Answer with a JSON object only: {\"interpretable\": true or false, \"description\": \"...\", "
      "\"evidence\": [report numbers]}.";
  std::string user = "Reports of the top-activating studies:\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    const std::string text = clip(reports[i], max_chars_per_report);
    user += fmt::format("\nReport {}: {}", i + 1, text.empty() ? "(no findings text)" : text);
  }
  user += "\n\nWhat radiological finding do these reports share?";
  p.user = std::move(user);
  p.schema = closed_object(
      {{"interpretable", {{"type", "boolean"}}},
       {"description", {{"type", "string"}}},
       {"evidence", {{"type", "array"}, {"items", integer_enum(reports.size())}, {"maxItems", reports.size()}}}});
  return p;
}

Prompt statement_judge_prompt(const std::string& description, const std::string& report) {
  Prompt p;
  p.version = "judge-v1";
  p.schema_name = "statement_judgement";
  p.system =
      "You are a radiologist. Decide whether a chest X-ray report states a given finding. Answer \"yes\" only "
      "if the report affirms the finding (not if it negates it, e.g. \"no effusion\"). Answer with a JSON "
      "object only: {\"answer\": \"yes\" or \"no\"}.";
  p.user = fmt::format("Finding: {}\n\nReport: {}\n\nDoes the report state the finding?", collapse_whitespace(description),
                       clip(report, 2000));
  p.schema = closed_object({{"answer", {{"type", "string"}, {"enum", {"yes", "no"}}}}});
  return p;
}

Prompt compose_findings_prompt(const std::vector<ComposeItem>& items, const std::string& indication,
                               const std::string& prior_report) {
  Prompt p;
  p.version = "compose-v1";
  p.schema_name = "findings_section";
  p.system =
      "You are a radiologist writing the findings section of a chest X-ray report. You are given numbered "
      "findings detected in the image, ordered by importance (most important first).\n"
      "Rules:\n"
      "- Write short report sentences, most important findings first.\n"
      "- Use only the findings given. Do not add any finding that no numbered finding supports.\n"
      "- Merge findings that say the same thing; when two contradict, follow the more important one.\n"
      "- Write each sentence once; do not repeat yourself.\n"
      "- Each sentence lists, in supported_by, the numbers of the findings it is based on.\n"
      "Answer with a JSON object only: {\"sentences\": [{\"sentence\": \"...\", \"supported_by\": [numbers]}]}.";
  std::string user;
  if (!trim(indication).empty()) user += fmt::format("Indication: {}\n\n", clip(indication, 500));
  if (!trim(prior_report).empty()) user += fmt::format("Prior report: {}\n\n", clip(prior_report, 1500));
  user += "Findings detected in the image (importance in %):\n";
  for (size_t i = 0; i < items.size(); ++i)
    user += fmt::format("{}. [{}%] {}\n", i + 1, std::lround(items[i].importance * 100), collapse_whitespace(items[i].description));
  user += "\nWrite the findings section.";
  p.user = std::move(user);
  // Keys are named so that their alphabetical order (nlohmann::json sorts keys, and grammar-constrained
  // servers generate properties in the order given) is the natural one: the sentence, then its support.
  // maxItems bound the arrays: a small model under a grammar otherwise repeats numbers until max_tokens.
  const Json sentence = closed_object(
      {{"sentence", {{"type", "string"}}},
       {"supported_by",
        {{"type", "array"}, {"items", integer_enum(items.size())}, {"minItems", 1}, {"maxItems", items.size()}}}});
  p.schema = closed_object(
      {{"sentences", {{"type", "array"}, {"items", sentence}, {"minItems", 1}, {"maxItems", 2 * items.size() + 2}}}});
  return p;
}

Prompt entailment_prompt(const std::string& phrase, const std::string& premise_report) {
  Prompt p;
  p.version = "entail-v1";
  p.schema_name = "entailment";
  p.system =
      "You are a radiologist checking chest X-ray reports against each other. Decide whether a phrase is "
      "logically supported (entailed) by a reference report: every finding the phrase states, including its "
      "presence or absence, location and severity, must follow from the reference. Answer with a JSON object "
      "only: {\"entailed\": true or false}.";
  p.user = fmt::format("Reference report: {}\n\nPhrase: {}\n\nIs the phrase entailed by the reference report?",
                       clip(premise_report, 3000), collapse_whitespace(phrase));
  p.schema = closed_object({{"entailed", {{"type", "boolean"}}}});
  return p;
}

}  // namespace saerad::llm
