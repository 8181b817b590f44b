// saerad label — CheXpert labels (the 14 observations) for the reports of a CSV/JSONL file, or one --text.
#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "text/label_file.hpp"

namespace saerad::cli {
namespace {

struct LabelArgs {
  LabelFileOptions options;
  std::string column = "findings";
  std::string text;
  bool explain = false;
};

Registration reg{{
    .name = "label",
    .summary = "CheXpert labels (14 observations) of reports: CSV/JSONL in, the labeler's CSV out",
    .group = Group::Evaluate,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<LabelArgs>();
      cmd.add_option("--reports", a->options.reports, "CSV (with header) or JSONL of reports");
      cmd.add_option("--out", a->options.out, "Labels CSV to write (a <name>.run.json with provenance beside it)");
      cmd.add_option("--column", a->column,
                     "Column (JSONL key) holding the report; several joined with '+' (e.g. findings+impression)")
          ->capture_default_str();
      cmd.add_option("--id-column", a->options.id_column, "Id column written first; repeated ids labelled once");
      cmd.add_flag("--no-header", a->options.no_header,
                   "CSV without header, one report per row in the first column (the CheXpert labeler's input)");
      cmd.add_option("--text", a->text, "Label this one report and print the labels instead");
      cmd.add_flag("--explain", a->explain, "With --text: list every mention, its sentence and its status");
      return [a] {
        ChexpertLabeler labeler;
        if (!a->text.empty()) {
          if (json_output()) {
            Json j = Json::object();
            const ChexpertLabels labels = labeler.label(a->text);
            for (size_t k = 0; k < kNumObservations; ++k)
              j[std::string(kObservations[k])] = labels[k] ? Json(*labels[k]) : Json(nullptr);
            print_json(j);
          } else {
            std::fputs(explain_labels(labeler, a->text, a->explain).c_str(), stdout);
          }
          return;
        }
        if (a->options.reports.empty() || a->options.out.empty())
          fail_input("label: give --reports FILE and --out FILE (or --text \"report\")");
        a->options.columns = split(a->column, '+');
        const LabelFileSummary summary = label_reports_file(a->options);
        if (json_output())
          print_json(summary.to_json());
        else if (!is_quiet())
          std::fputs(summary.to_table().c_str(), stderr);
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
