// The readable table of `saerad eval` (format_scores in evaluate.hpp).
#include <fmt/format.h>

#include "eval/evaluate.hpp"

namespace saerad::eval {
namespace {

std::string interval(const Json& scores, const std::string& key) {
  const auto ci = scores.find("ci95");
  if (ci == scores.end() || !ci->contains(key)) return "";
  const Json& v = (*ci)[key];
  return fmt::format("  [{:.4f}, {:.4f}]", v[0].get<double>(), v[1].get<double>());
}

}  // namespace

std::string format_scores(const Json& s) {
  std::string out;
  const Json& ids = s["ids"];
  out += fmt::format("{} studies scored (tokenizer {})", s["n"].get<size_t>(), s.value("tokenizer", "?"));
  if (ids["missing_predictions"].get<size_t>() > 0)
    out += fmt::format("; {} references without prediction", ids["missing_predictions"].get<size_t>());
  if (ids["extra_predictions"].get<size_t>() > 0)
    out += fmt::format("; {} predictions without reference", ids["extra_predictions"].get<size_t>());
  out += "\n\n";
  if (s.contains("ci95")) out += fmt::format("{:<16}{:>8}  {}\n", "metric", "value", "95% CI (bootstrap)");
  const std::pair<const char*, const char*> nlg[] = {{"bleu_1", "BLEU-1"},   {"bleu_2", "BLEU-2"},
                                                     {"bleu_3", "BLEU-3"},   {"bleu_4", "BLEU-4"},
                                                     {"rouge_l", "ROUGE-L"}, {"cider_d", "CIDEr-D"},
                                                     {"meteor_approx", "METEOR (approx)"}};
  for (const auto& [key, label] : nlg)
    if (s.contains(key)) out += fmt::format("{:<16}{:>8.4f}{}\n", label, s[key].get<double>(), interval(s, key));
  if (s.contains("radfact"))
    for (const char* key : {"logical_precision", "logical_recall"})
      if (s["radfact"].contains(key))
        out += fmt::format("{:<16}{:>8.4f}\n", std::string("RadFact ") + (key[8] == 'p' ? "prec" : "rec"),
                           s["radfact"][key].get<double>());

  if (s.contains("chexpert")) {
    out += fmt::format("\n{:<16}{:>15}{:>15}{:>15}{:>15}\n", "CheXpert F1", "micro-14", "macro-14", "micro-5",
                       "macro-5");
    for (const char* policy : {"uncertain_as_negative", "uncertain_as_positive"}) {
      const Json& c = s["chexpert"][policy];
      std::string values, intervals;
      for (const char* key : {"micro_f1_14", "macro_f1_14", "micro_f1_5", "macro_f1_5"}) {
        values += fmt::format("{:>15.4f}", c[key].get<double>());
        const auto ci = s.find("ci95");
        const std::string path = std::string("chexpert.") + policy + "." + key;
        if (ci != s.end() && ci->contains(path))
          intervals += fmt::format("{:>15}", fmt::format("[{:.3f}, {:.3f}]", (*ci)[path][0].get<double>(),
                                                         (*ci)[path][1].get<double>()));
      }
      out += fmt::format("{:<16}{}\n",
                         policy == std::string_view("uncertain_as_negative") ? "uncertain = 0" : "uncertain = 1", values);
      if (!intervals.empty()) out += fmt::format("{:<16}{}\n", "  95% CI", intervals);
    }
    out += "\nper class (uncertain = 0)     precision  recall      F1  support\n";
    const Json& per_class = s["chexpert"]["uncertain_as_negative"]["per_class"];
    for (const auto name_view : kObservations) {
      const std::string name(name_view);
      const Json& v = per_class[name];
      out += fmt::format("  {:<27}{:>10.3f}{:>8.3f}{:>8.3f}{:>9}\n", name, v["precision"].get<double>(),
                         v["recall"].get<double>(), v["f1"].get<double>(), v["support"].get<uint64_t>());
    }
  }
  if (s.value("leakage", false))
    out += fmt::format("\nLEAKAGE: {} evaluated studies were examples of a feature used for their own report\n",
                       s["leakage_count"].get<size_t>());
  else if (s.value("leakage_checked", false))
    out += "\nleakage: none (no evaluated study is an example of a feature in its report)\n";
  return out;
}

}  // namespace saerad::eval
