// saerad dataset mimic-cxr|iu-xray|csv|jsonl — build a studies.csv manifest (docs/formats.md) from a dataset.
#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "data/generic_dataset.hpp"
#include "data/iu_xray.hpp"
#include "data/mimic_cxr.hpp"

namespace saerad::cli {
namespace {

struct DatasetArgs {
  std::filesystem::path out, labels_out;
  MimicCxrOptions mimic;
  IuXrayOptions iu;
  std::string iu_split;
  GenericDatasetOptions generic;
  std::vector<std::string> map;
  bool no_image_check = false;
};

std::vector<double> parse_fractions(const std::string& text) {
  std::vector<double> out;
  if (text.empty()) return out;
  for (const std::string& part : split(text, ',')) {
    try {
      out.push_back(std::stod(part));
    } catch (const std::exception&) {
      fail_input("--split '{}': expected three fractions like 0.7,0.1,0.2", text);
    }
  }
  return out;
}

void finish(const std::filesystem::path& out, DatasetBuild build, const Json& inputs,
            const std::filesystem::path& labels_out = {}) {
  if (!labels_out.empty()) {
    if (build.reference_labels.empty())
      fail_input("--labels-out {}: no CheXpert label table was read (give --labels, or put "
                 "mimic-cxr-2.0.0-chexpert.csv.gz in --jpg-root)", labels_out.string());
    const size_t n = write_reference_labels(labels_out, build);
    if (!is_quiet()) std::fprintf(stderr, "wrote %s (%zu studies)\n", labels_out.c_str(), n);
  }
  const DatasetSummary summary = write_dataset(out, std::move(build), inputs);
  if (json_output())
    print_json(summary.to_json());
  else if (!is_quiet())
    std::fprintf(stderr, "wrote %s\n%s", out.c_str(), summary.to_table().c_str());
}

Registration reg{{
    .name = "dataset",
    .summary = "Build a studies.csv manifest from MIMIC-CXR(-JPG), IU X-Ray, or any CSV/JSONL",
    .group = Group::Data,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<DatasetArgs>();
      cmd.require_subcommand(1);
      auto* mimic = cmd.add_subcommand("mimic-cxr", "MIMIC-CXR-JPG images + tables, and/or MIMIC-CXR report files");
      mimic->add_option("--jpg-root", a->mimic.jpg_root, "MIMIC-CXR-JPG root (files/pXX/pSUBJECT/sSTUDY/*.jpg)");
      mimic->add_option("--reports", a->mimic.reports_root, "MIMIC-CXR reports root ([files/]pXX/pSUBJECT/sSTUDY.txt)");
      mimic->add_option("--metadata", a->mimic.metadata, "metadata CSV(.gz) (default: found in --jpg-root)");
      mimic->add_option("--split", a->mimic.split, "split CSV(.gz) (default: found in --jpg-root)");
      mimic->add_option("--labels", a->mimic.labels,
                        "CheXpert (or NegBio) label CSV(.gz) (default: mimic-cxr-2.0.0-chexpert found in --jpg-root)");
      mimic->add_option("--labels-out", a->labels_out,
                        "Also write the table's labels of the manifest's studies as a labels CSV (eval --ref-labels)");
      mimic->add_flag("--frontal-only", a->mimic.frontal_only, "Keep PA/AP images only");
      mimic->add_option("--out", a->out, "studies.csv to write")->required();

      auto* iu = cmd.add_subcommand("iu-xray", "IU X-Ray: the two-table CSVs or the Open-i XML reports");
      iu->add_option("--reports", a->iu.reports, "indiana_reports.csv");
      iu->add_option("--projections", a->iu.projections, "indiana_projections.csv");
      iu->add_option("--xml", a->iu.xml_dir, "Open-i XML report folder (instead of the CSVs)");
      iu->add_option("--images", a->iu.images, "Image folder (without it: one row per study, no images)");
      iu->add_flag("--frontal-only", a->iu.frontal_only, "Keep frontal images only");
      iu->add_option("--split", a->iu_split,
                     "Assign train,validate,test fractions by hash of the study id, e.g. 0.7,0.1,0.2");
      iu->add_option("--seed", a->iu.seed, "Seed of the hash split")->capture_default_str();
      iu->add_option("--out", a->out, "studies.csv to write")->required();

      auto* csv = cmd.add_subcommand("csv", "Any CSV with a header (columns mapped onto the manifest's)");
      auto* jsonl = cmd.add_subcommand("jsonl", "Any JSONL file (keys mapped onto the manifest's columns)");
      for (CLI::App* sub : {csv, jsonl}) {
        sub->add_option("input", a->generic.input, "Input file")->required();
        sub->add_option("--map", a->map, "MANIFEST_COLUMN=SOURCE (repeatable or comma-separated), e.g. study_id=id");
        sub->add_option("--report-column", a->generic.report_column,
                        "Column/key with whole free-text reports, split into sections");
        sub->add_option("--image-root", a->generic.image_root, "Folder relative image paths start from");
        sub->add_flag("--frontal-only", a->generic.frontal_only, "Keep frontal views only");
        sub->add_flag("--no-image-check", a->no_image_check, "Do not check that images exist");
        sub->add_option("--out", a->out, "studies.csv to write")->required();
      }
      return [a, mimic, iu, csv, jsonl] {
        Json inputs = Json::object();
        const std::filesystem::path dir = a->out.parent_path();
        if (mimic->parsed()) {
          a->mimic.manifest_dir = dir;
          finish(a->out, build_mimic_cxr(a->mimic, &inputs), inputs, a->labels_out);
        } else if (iu->parsed()) {
          a->iu.manifest_dir = dir;
          a->iu.split_fractions = parse_fractions(a->iu_split);
          finish(a->out, build_iu_xray(a->iu, &inputs), inputs);
        } else {
          a->generic.jsonl = jsonl->parsed();
          a->generic.columns = parse_column_map(a->map);
          a->generic.check_images = !a->no_image_check;
          a->generic.manifest_dir = dir;
          finish(a->out, build_generic_dataset(a->generic, &inputs), inputs);
        }
        (void)csv;
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
