#pragma once
// Report tokenizers for the NLG metrics. Each returns the normalised report as one string of tokens
// separated by single spaces — the string pycocoevalcap's scorers receive (BLEU and CIDEr-D split it with
// Python's str.split(), ROUGE-L with str.split(" ")).
//
//   whitespace  the report as given (its own whitespace decides the tokens).
//   default     lowercase; every character other than a letter, digit, underscore, apostrophe or
//               whitespace becomes a space; whitespace collapsed. This is Python's
//               re.sub(r"[^\w\s']", " ", text.lower()) followed by " ".join(text.split()), and turns
//               nlg-vectors.json's `raw` strings into its `lower_punct_stripped` strings exactly.
//               Non-ASCII: UTF-8 letters and digits are kept; Latin-1 and General Punctuation symbols
//               (dashes, curly quotes, bullets, °, ×, arrows, box drawing) become spaces — a close, not
//               exact, copy of Python's Unicode \w; Latin-1 capitals are lowercased, others kept.
//   r2gen       R2Gen's report cleaner (clean_report_mimic_cxr of R2Gen's tokenizers.py, a superset of
//               its IU X-Ray variant): newlines → spaces, runs of "__"/"  "/".." shortened, list numbers
//               ("1. ", " 2. " … " 5. ") dropped, lowercased, split into sentences on ". ", each stripped
//               of the characters ."/\',?;*!%^&_+():<=>@[]{} (its regex range ":-\[" included), and
//               joined as "s1 . s2 . … ." — the text R2Gen-style papers score.
#include <string>
#include <string_view>
#include <vector>

namespace saerad::eval {

enum class Tokenizer { Whitespace, Default, R2Gen };

Tokenizer parse_tokenizer(std::string_view name);  // "whitespace" | "default" | "r2gen"; InputError otherwise
std::string_view tokenizer_name(Tokenizer tokenizer);

std::string normalize_report(std::string_view report, Tokenizer tokenizer);
std::string normalize_default(std::string_view report);
std::string normalize_r2gen(std::string_view report);

// Python's str.split() (runs of ASCII whitespace and \x1c-\x1f separate; no empty tokens).
std::vector<std::string_view> split_python_whitespace(std::string_view text);
// Python's str.split(" ") (every single space separates; empty tokens kept, "" → [""]).
std::vector<std::string_view> split_single_space(std::string_view text);

}  // namespace saerad::eval
