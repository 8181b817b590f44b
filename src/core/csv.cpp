#include "core/csv.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"

namespace saerad {

CsvReader CsvReader::open(const std::filesystem::path& path) { return from_string(read_text_file(path), path.string()); }

CsvReader CsvReader::from_string(std::string text, std::string name) {
  CsvReader r;
  r.text_ = std::move(text);
  r.name_ = std::move(name);
  if (r.text_.starts_with("\xEF\xBB\xBF")) r.pos_ = 3;
  return r;
}

std::string CsvReader::where() const { return fmt::format("{}:{}", name_, record_line_); }

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  const size_t n = text_.size();
  while (true) {
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= n) fail_input("{}:{}: unterminated quoted field", name_, record_line_);
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < n && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      }
      // Anything between the closing quote and the separator is kept, as lenient readers do.
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') field += text_[pos_++];
    } else {
      size_t start = pos_;
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      field.append(text_, start, pos_ - start);
    }
    fields.push_back(std::move(field));
    field.clear();
    if (pos_ >= n) return true;
    char c = text_[pos_++];
    if (c == ',') continue;
    if (c == '\r' && pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

CsvTable::CsvTable(CsvReader reader) : reader_(std::move(reader)) {
  if (!reader_.next(header_)) fail_input("{}: empty CSV (no header row)", reader_.name());
  for (size_t i = 0; i < header_.size(); ++i) index_.emplace(header_[i], i);
}

std::optional<size_t> CsvTable::column(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

size_t CsvTable::require_column(std::string_view name) const {
  if (auto c = column(name)) return *c;
  fail_input("{}: no column '{}' (columns: {})", reader_.name(), name, fmt::join(header_, ","));
}

bool CsvTable::next(std::vector<std::string>& row) {
  while (reader_.next(row)) {
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != header_.size()) {
      log_warning(fmt::format("{}: {} fields, header has {}; row skipped", reader_.where(), row.size(), header_.size()));
      ++skipped_;
      continue;
    }
    return true;
  }
  return false;
}

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_escape(fields[i]);
  }
  out += '\n';
  return out;
}

}  // namespace saerad
