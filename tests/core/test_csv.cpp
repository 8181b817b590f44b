// CSV: RFC 4180 quoting, line numbers in errors, malformed rows skipped with a warning.
#include <gtest/gtest.h>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace saerad {
namespace {

TEST(Csv, ParsesQuotesNewlinesCrlfAndBom) {
  auto r = CsvReader::from_string("\xEF\xBB\xBF" "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\n,,\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 2);
  EXPECT_EQ(f, (std::vector<std::string>{"x, y", "he said \"hi\"", "two\nlines"}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 4);  // the quoted newline advanced the line count
  EXPECT_EQ(f, (std::vector<std::string>{"", "", ""}));
  EXPECT_FALSE(r.next(f));
}

TEST(Csv, UnterminatedQuoteNamesFileAndLine) {
  auto r = CsvReader::from_string("a,b\n1,\"oops\n", "reports.csv");
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  try {
    r.next(f);
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("reports.csv:2"), std::string::npos) << e.what();
  }
}

TEST(Csv, TableLooksUpColumnsAndSkipsMalformedRows) {
  CsvTable t(CsvReader::from_string("id,text\n1,ok\n2,too,many\n3,fine\n", "t.csv"));
  EXPECT_EQ(t.require_column("text"), 1u);
  EXPECT_THROW(t.require_column("nope"), InputError);
  std::vector<std::string> row;
  std::vector<std::string> ids;
  while (t.next(row)) ids.push_back(row[0]);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(t.skipped(), 1);
}

TEST(Csv, EscapeRoundTrips) {
  std::vector<std::string> fields = {"plain", "with,comma", "with \"quote\"", "multi\nline", ""};
  auto r = CsvReader::from_string(csv_line(fields));
  std::vector<std::string> back;
  ASSERT_TRUE(r.next(back));
  EXPECT_EQ(back, fields);
}

}  // namespace
}  // namespace saerad
