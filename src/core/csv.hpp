#pragma once
// RFC 4180 CSV: quoted fields with embedded commas, quotes ("") and newlines; CRLF or LF; UTF-8 BOM skipped.
// Errors and warnings name file:line.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace saerad {

class CsvReader {
 public:
  static CsvReader open(const std::filesystem::path& path);  // reads the whole file
  static CsvReader from_string(std::string text, std::string name = "<string>");

  // Next record; false at the end. Throws on an unterminated quote, naming file:line.
  bool next(std::vector<std::string>& fields);
  int64_t line() const { return record_line_; }  // 1-based line where the last record started
  const std::string& name() const { return name_; }
  std::string where() const;                        // "file:line" of the last record

 private:
  std::string text_, name_;
  size_t pos_ = 0;
  int64_t line_ = 1, record_line_ = 0;
};

// A CSV with a header row: columns looked up by name.
class CsvTable {
 public:
  explicit CsvTable(CsvReader reader);
  const std::vector<std::string>& header() const { return header_; }
  std::optional<size_t> column(std::string_view name) const;
  size_t require_column(std::string_view name) const;  // error names the file and the missing column
  // Next data row; rows with a different field count are reported (file:line) and skipped, counted in skipped().
  bool next(std::vector<std::string>& row);
  std::string where() const { return reader_.where(); }
  int64_t skipped() const { return skipped_; }

 private:
  CsvReader reader_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, size_t> index_;
  int64_t skipped_ = 0;
};

std::string csv_escape(std::string_view field);                   // quotes only when needed
std::string csv_line(const std::vector<std::string>& fields);     // joined + "\n"

}  // namespace saerad
