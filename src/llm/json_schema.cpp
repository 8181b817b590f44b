#include "llm/json_schema.hpp"

#include <fmt/format.h>

namespace saerad::llm {

namespace {

bool has_type(const Json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    // 3.0 is an integer in JSON Schema; some servers print integers that way.
    return value.is_number_float() && value.get<double>() == static_cast<double>(static_cast<int64_t>(value.get<double>()));
  }
  return false;
}

std::optional<std::string> check(const Json& value, const Json& schema, const std::string& path) {
  if (!schema.is_object()) return std::nullopt;  // `true` / {} accept anything
  if (auto it = schema.find("type"); it != schema.end()) {
    bool matched = false;
    if (it->is_string()) {
      matched = has_type(value, it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& t : *it) matched = matched || (t.is_string() && has_type(value, t.get<std::string>()));
    }
    if (!matched) return fmt::format("{}: expected type {}, got {}", path, it->dump(), value.type_name());
  }
  if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
    bool found = false;
    for (const auto& option : *it) {
      // Numeric enums compare by value so 2 and 2.0 match.
      if (option == value || (option.is_number() && value.is_number() && option.get<double>() == value.get<double>())) {
        found = true;
        break;
      }
    }
    if (!found) return fmt::format("{}: {} is not one of {}", path, value.dump(), it->dump());
  }
  if (value.is_object()) {
    const Json empty = Json::object();
    const Json& properties = schema.contains("properties") ? schema["properties"] : empty;
    if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
      for (const auto& name : *it) {
        if (name.is_string() && !value.contains(name.get<std::string>()))
          return fmt::format("{}: missing required field \"{}\"", path, name.get<std::string>());
      }
    }
    const bool closed = schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    for (const auto& [key, child] : value.items()) {
      if (properties.contains(key)) {
        if (auto error = check(child, properties[key], path + "." + key)) return error;
      } else if (closed) {
        return fmt::format("{}: unexpected field \"{}\"", path, key);
      }
    }
  }
  if (value.is_array()) {
    if (auto it = schema.find("minItems"); it != schema.end() && value.size() < it->get<size_t>())
      return fmt::format("{}: {} items, at least {} required", path, value.size(), it->get<size_t>());
    if (auto it = schema.find("maxItems"); it != schema.end() && value.size() > it->get<size_t>())
      return fmt::format("{}: {} items, at most {} allowed", path, value.size(), it->get<size_t>());
    if (auto it = schema.find("items"); it != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (auto error = check(value[i], *it, fmt::format("{}[{}]", path, i))) return error;
      }
    }
  }
  if (value.is_number()) {
    const double x = value.get<double>();
    if (auto it = schema.find("minimum"); it != schema.end() && x < it->get<double>())
      return fmt::format("{}: {} is below the minimum {}", path, value.dump(), it->dump());
    if (auto it = schema.find("maximum"); it != schema.end() && x > it->get<double>())
      return fmt::format("{}: {} is above the maximum {}", path, value.dump(), it->dump());
  }
  if (value.is_string()) {
    const size_t length = value.get_ref<const std::string&>().size();
    if (auto it = schema.find("minLength"); it != schema.end() && length < it->get<size_t>())
      return fmt::format("{}: string shorter than {}", path, it->get<size_t>());
    if (auto it = schema.find("maxLength"); it != schema.end() && length > it->get<size_t>())
      return fmt::format("{}: string longer than {}", path, it->get<size_t>());
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_violation(const Json& value, const Json& schema) { return check(value, schema, "$"); }

std::optional<Json> extract_json_object(std::string_view text) {
  auto parse = [](std::string_view candidate) -> std::optional<Json> {
    Json value = Json::parse(candidate, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) return std::nullopt;
    return value;
  };
  if (auto whole = parse(text)) return whole;
  // Try each '{' as a start, with the last matching '}' first: models put prose before and after.
  // Bounded (16 × 16 candidates) so a pathological reply cannot cost more than a few hundred parses.
  int starts = 0;
  for (size_t start = text.find('{'); start != std::string_view::npos && starts++ < 16; start = text.find('{', start + 1)) {
    int ends = 0;
    for (size_t end = text.rfind('}'); end != std::string_view::npos && end > start && ends++ < 16; end = text.rfind('}', end - 1)) {
      if (auto value = parse(text.substr(start, end - start + 1))) return value;
      if (end == 0) break;
    }
  }
  return std::nullopt;
}

}  // namespace saerad::llm
