// Validation of replies against their schema, and finding the JSON object in a chatty reply.
#include <gtest/gtest.h>

#include "llm/json_schema.hpp"

namespace saerad::llm {
namespace {

const Json kDescription = {
    {"type", "object"},
    {"properties",
     {{"interpretable", {{"type", "boolean"}}},
      {"description", {{"type", "string"}, {"maxLength", 40}}},
      {"evidence", {{"type", "array"}, {"items", {{"type", "integer"}, {"enum", {1, 2, 3}}}}, {"maxItems", 3}}}}},
    {"required", {"interpretable", "description", "evidence"}},
    {"additionalProperties", false}};

TEST(JsonSchema, AcceptsAValidReply) {
  EXPECT_EQ(schema_violation({{"interpretable", true}, {"description", "Effusion."}, {"evidence", {1, 3}}}, kDescription),
            std::nullopt);
  EXPECT_EQ(schema_violation({{"interpretable", false}, {"description", ""}, {"evidence", Json::array()}}, kDescription),
            std::nullopt);
  // 2.0 is the integer 2.
  EXPECT_EQ(schema_violation({{"interpretable", true}, {"description", "x"}, {"evidence", {2.0}}}, kDescription), std::nullopt);
}

TEST(JsonSchema, NamesTheFirstViolationWithItsPath) {
  auto v = schema_violation({{"interpretable", "yes"}, {"description", "x"}, {"evidence", {1}}}, kDescription);
  ASSERT_TRUE(v);
  EXPECT_NE(v->find("$.interpretable"), std::string::npos) << *v;
  v = schema_violation({{"interpretable", true}, {"evidence", {1}}}, kDescription);
  ASSERT_TRUE(v);
  EXPECT_NE(v->find("missing required field \"description\""), std::string::npos) << *v;
  v = schema_violation({{"interpretable", true}, {"description", "x"}, {"evidence", {1, 4}}}, kDescription);
  ASSERT_TRUE(v);
  EXPECT_NE(v->find("$.evidence[1]"), std::string::npos) << *v;
  v = schema_violation({{"interpretable", true}, {"description", "x"}, {"evidence", {1}}, {"extra", 1}}, kDescription);
  ASSERT_TRUE(v);
  EXPECT_NE(v->find("unexpected field \"extra\""), std::string::npos) << *v;
  v = schema_violation({{"interpretable", true}, {"description", std::string(41, 'a')}, {"evidence", {1}}}, kDescription);
  ASSERT_TRUE(v);
  v = schema_violation({{"interpretable", true}, {"description", "x"}, {"evidence", {1, 2, 3, 1}}}, kDescription);
  ASSERT_TRUE(v);
  EXPECT_TRUE(schema_violation(Json::array(), kDescription));
  EXPECT_TRUE(schema_violation(2.5, {{"type", "integer"}}));
  EXPECT_TRUE(schema_violation(5, {{"type", "number"}, {"maximum", 4}}));
  EXPECT_FALSE(schema_violation(nullptr, {{"type", {"string", "null"}}}));
}

TEST(JsonSchema, ExtractsTheJsonObjectFromProseAndFences) {
  EXPECT_EQ(extract_json_object(R"({"a": 1})"), (Json{{"a", 1}}));
  EXPECT_EQ(extract_json_object("Sure!\n```json\n{\"a\": {\"b\": [1, 2]}}\n```\nAnything else?"),
            (Json{{"a", {{"b", {1, 2}}}}}));
  EXPECT_EQ(extract_json_object("noise { not json } then {\"ok\": true} end"), (Json{{"ok", true}}));
  EXPECT_EQ(extract_json_object("no json here"), std::nullopt);
  EXPECT_EQ(extract_json_object("[1, 2]"), std::nullopt);  // an array is not an object
  EXPECT_EQ(extract_json_object("{\"a\": 1"), std::nullopt);  // truncated
}

}  // namespace
}  // namespace saerad::llm
