#include "eval/tokenize.hpp"

#include <cctype>
#include <cstdint>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace saerad::eval {
namespace {

bool is_python_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

// Decodes one UTF-8 code point at text[i]; advances i. Invalid bytes decode as themselves (kept).
uint32_t next_code_point(std::string_view text, size_t& i, size_t& length) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  size_t extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : 0;
  if (b0 < 0x80 || i + extra >= text.size() + (extra == 0)) extra = 0;
  uint32_t cp = extra == 0 ? b0 : (b0 & (0x3F >> extra));
  for (size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) {  // not a continuation byte: treat the lead byte alone
      extra = 0;
      cp = b0;
      break;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  length = extra + 1;
  i += length;
  return cp;
}

// Non-ASCII code points that Python's \w rejects and that occur in reports (symbols and punctuation).
bool is_unicode_symbol(uint32_t cp) {
  if (cp >= 0x80 && cp <= 0xBF) {
    switch (cp) {  // ª ² ³ µ ¹ º ¼ ½ ¾ are \w in Python
      case 0xAA: case 0xB2: case 0xB3: case 0xB5: case 0xB9: case 0xBA: case 0xBC: case 0xBD: case 0xBE:
        return false;
      default:
        return true;
    }
  }
  return cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x23FF) ||
         (cp >= 0x2500 && cp <= 0x27BF) || (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF;
}

}  // namespace

Tokenizer parse_tokenizer(std::string_view name) {
  if (name == "whitespace") return Tokenizer::Whitespace;
  if (name == "default") return Tokenizer::Default;
  if (name == "r2gen") return Tokenizer::R2Gen;
  fail_input("unknown tokenizer '{}' (expected whitespace, default or r2gen)", name);
}

std::string_view tokenizer_name(Tokenizer tokenizer) {
  switch (tokenizer) {
    case Tokenizer::Whitespace: return "whitespace";
    case Tokenizer::Default: return "default";
    case Tokenizer::R2Gen: return "r2gen";
  }
  return "?";
}

std::string normalize_report(std::string_view report, Tokenizer tokenizer) {
  switch (tokenizer) {
    case Tokenizer::Whitespace: return std::string(report);
    case Tokenizer::Default: return normalize_default(report);
    case Tokenizer::R2Gen: return normalize_r2gen(report);
  }
  return std::string(report);
}

std::string normalize_default(std::string_view report) {
  std::string out;
  out.reserve(report.size());
  bool pending_space = false;
  auto emit = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece);
  };
  for (size_t i = 0; i < report.size();) {
    const auto c = static_cast<unsigned char>(report[i]);
    if (c < 0x80) {
      ++i;
      if (std::isalnum(c) || c == '_' || c == '\'') {
        const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        emit(std::string_view(&lower, 1));
      } else {
        pending_space = true;  // whitespace and ASCII punctuation both separate tokens
      }
      continue;
    }
    size_t length = 0;
    const size_t start = i;
    const uint32_t cp = next_code_point(report, i, length);
    if (cp == 0xA0 || is_unicode_symbol(cp)) {
      pending_space = true;
    } else if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) {  // Latin-1 capitals → lowercase (2 UTF-8 bytes)
      const uint32_t lower = cp + 0x20;
      const char bytes[2] = {static_cast<char>(0xC0 | (lower >> 6)), static_cast<char>(0x80 | (lower & 0x3F))};
      emit(std::string_view(bytes, 2));
    } else {
      emit(report.substr(start, length));
    }
  }
  return out;
}

std::string normalize_r2gen(std::string_view report) {
  // report_cleaner: the replace chain of R2Gen, in its order (Python str.replace: all non-overlapping
  // occurrences, left to right).
  std::string t = replace_all(std::string(report), "\n", " ");
  for (int k = 0; k < 7; ++k) t = replace_all(std::move(t), "__", "_");
  for (int k = 0; k < 6; ++k) t = replace_all(std::move(t), "  ", " ");
  for (int k = 0; k < 8; ++k) t = replace_all(std::move(t), "..", ".");
  t = replace_all(std::move(t), "1. ", "");
  for (const char* n : {". 2. ", ". 3. ", ". 4. ", ". 5. "}) t = replace_all(std::move(t), n, ". ");
  for (const char* n : {" 2. ", " 3. ", " 4. ", " 5. "}) t = replace_all(std::move(t), n, ". ");
  t = to_lower(trim(t));

  // sent_cleaner: drop quotes, slashes, backslashes, apostrophes, then the regex class
  // [.,?;*!%^&_+():-\[\]{}] (":-\[" is the range ':' … '[').
  auto is_removed = [](char c) {
    switch (c) {
      case '"': case '/': case '\\': case '\'': case '.': case ',': case '?': case ';': case '*': case '!':
      case '%': case '^': case '&': case '_': case '+': case '(': case ')': case ']': case '{': case '}':
        return true;
      default:
        return c >= ':' && c <= '[';
    }
  };
  std::string out;
  out.reserve(t.size() + 4);
  size_t pos = 0;
  bool first = true;
  while (true) {
    const size_t end = t.find(". ", pos);
    const std::string_view sentence = std::string_view(t).substr(pos, end == std::string::npos ? std::string::npos
                                                                                                : end - pos);
    std::string cleaned;
    for (char c : trim(sentence))
      if (!is_removed(c)) cleaned.push_back(c);
    if (!first) out += " . ";
    out += cleaned;  // R2Gen strips before removing characters, not after: "effusion ." keeps its space
    first = false;
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  out += " .";
  return out;
}

std::vector<std::string_view> split_python_whitespace(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_python_space(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !is_python_space(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

std::vector<std::string_view> split_single_space(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(' ', start);
    if (end == std::string_view::npos) {
      tokens.push_back(text.substr(start));
      return tokens;
    }
    tokens.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace saerad::eval
