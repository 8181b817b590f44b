#pragma once
// Validation of LLM replies against the JSON Schema the request asked for, on receipt. Covers the subset
// structured-output APIs accept: type (object, array, string, integer, number, boolean, null, or a list of
// them), properties, required, additionalProperties: false, items, enum, minItems/maxItems,
// minimum/maximum, minLength/maxLength.
#include <optional>
#include <string>

#include "core/json_io.hpp"

namespace saerad::llm {

// nullopt when `value` satisfies `schema`, else the first violation with its JSON path ("$.evidence[2]: ...").
std::optional<std::string> schema_violation(const Json& value, const Json& schema);

// The JSON object in a model's text reply: the whole text, or the first {...} span inside Markdown code
// fences or prose (small models often wrap their JSON). nullopt when there is none that parses.
std::optional<Json> extract_json_object(std::string_view text);

}  // namespace saerad::llm
