// bench/eval: `saerad eval` speed on the 3,331 IU X-Ray studies with findings and impression (findings =
// reference, impression = prediction), against pycocoevalcap (BLEU + ROUGE-L + CIDEr-D) in the same run.
//
//   build/bench/eval [--reports PATH/indiana_reports.csv] [--python PATH] [--repeat N] [--bootstrap N]
// Defaults: ../shared/data/iu-xray/indiana_reports.csv beside the source tree; the test venv's Python
// ($SAERAD_TEST_PYTHON or .venv-test/bin/python, with pycocoevalcap: scripts/setup-test-python.sh).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/json_io.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "core/threads.hpp"
#include "eval/evaluate.hpp"
#include "eval/tokenize.hpp"

namespace fs = std::filesystem;
using namespace saerad;

namespace {

const fs::path kSourceDir = fs::path(__FILE__).parent_path().parent_path();

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Timing {
  double wall = 1e300, cpu = 1e300;  // best of the repeats; CPU time is steadier on a shared machine
};

template <class F>
Timing best_of(int repeat, F&& f) {
  Timing best;
  for (int r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const double start_cpu = cpu_seconds();
    f();
    best.wall = std::min(best.wall, seconds_since(start));
    best.cpu = std::min(best.cpu, cpu_seconds() - start_cpu);
  }
  return best;
}

std::string run_capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    if (pclose(pipe) != 0) return "";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path reports = kSourceDir / "../shared/data/iu-xray/indiana_reports.csv";
  fs::path python = std::getenv("SAERAD_TEST_PYTHON") ? std::getenv("SAERAD_TEST_PYTHON")
                                                      : (kSourceDir / ".venv-test/bin/python").string();
  int repeat = 5, bootstrap = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--reports") reports = argv[i + 1];
    else if (flag == "--python") python = argv[i + 1];
    else if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
    else if (flag == "--bootstrap") bootstrap = std::atoi(argv[i + 1]);
  }
  if (!fs::exists(reports)) {
    std::fprintf(stderr, "bench/eval: %s not found (pass --reports)\n", reports.c_str());
    return 2;
  }
  set_quiet(true);
  std::vector<eval::Prediction> predictions;
  std::vector<eval::Reference> references;
  CsvTable table(CsvReader::open(reports));
  const size_t findings = table.require_column("findings"), impression = table.require_column("impression"),
               uid = table.require_column("uid");
  std::vector<std::string> row;
  while (table.next(row)) {
    if (trim(row[findings]).empty() || trim(row[impression]).empty()) continue;
    predictions.push_back({row[uid], row[impression], {}});
    references.push_back({row[uid], row[findings], {}});
  }
  std::printf("IU X-Ray: %zu studies (impression → prediction, findings → reference), default tokenizer\n",
              predictions.size());

  eval::EvalOptions nlg;
  nlg.metrics = {"bleu", "rouge_l", "cider_d"};
  eval::EvalOptions all;  // + meteor_approx + CheXpert F1 (labels both sides with the built-in labeler)
  eval::EvalOptions meteor;
  meteor.metrics = {"meteor_approx"};
  eval::EvalOptions chexpert;
  chexpert.metrics = {"chexpert"};
  const ChexpertLabeler labeler;
  all.labeler = chexpert.labeler = &labeler;

  Json scores;
  const int threads_all = thread_count();
  Timing t_nlg_1, t_nlg_all, t_all_1, t_all_all, t_meteor, t_chexpert;
  for (int threads : {1, threads_all}) {
    set_thread_count(threads);
    const Timing t_nlg = best_of(repeat, [&] { scores = eval::evaluate(predictions, references, nlg); });
    const Timing t_all = best_of(repeat, [&] { eval::evaluate(predictions, references, all); });
    (threads == 1 ? t_nlg_1 : t_nlg_all) = t_nlg;
    (threads == 1 ? t_all_1 : t_all_all) = t_all;
    if (threads == 1) {
      t_meteor = best_of(repeat, [&] { eval::evaluate(predictions, references, meteor); });
      t_chexpert = best_of(repeat, [&] { eval::evaluate(predictions, references, chexpert); });
    }
  }
  set_thread_count(threads_all);
  eval::EvalOptions boot = all;
  boot.bootstrap = bootstrap;
  const double t_boot = bootstrap > 0 ? best_of(1, [&] { eval::evaluate(predictions, references, boot); }).wall : 0.0;

  std::printf("saerad BLEU-1..4 + ROUGE-L + CIDEr-D (incl. tokenizing): 1 thread %.1f ms (CPU %.1f ms), "
              "%d threads %.1f ms\n",
              t_nlg_1.wall * 1e3, t_nlg_1.cpu * 1e3, threads_all, t_nlg_all.wall * 1e3);
  std::printf("saerad all metrics (+ meteor_approx + CheXpert F1 incl. labeling %zu reports): 1 thread %.1f ms "
              "(CPU %.1f ms), %d threads %.1f ms\n",
              2 * predictions.size(), t_all_1.wall * 1e3, t_all_1.cpu * 1e3, threads_all, t_all_all.wall * 1e3);
  std::printf("  of which, 1 thread CPU: meteor_approx %.1f ms, CheXpert labeling + F1 %.1f ms\n", t_meteor.cpu * 1e3,
              t_chexpert.cpu * 1e3);
  if (bootstrap > 0)
    std::printf("saerad all metrics + --bootstrap %d (every corpus statistic per resample, %d threads): %.2f s\n",
                bootstrap, threads_all, t_boot);
  std::printf("  scores: BLEU-4 %.6f ROUGE-L %.6f CIDEr-D %.6f\n", scores["bleu_4"].get<double>(),
              scores["rouge_l"].get<double>(), scores["cider_d"].get<double>());

  if (!fs::exists(python)) {
    std::printf("pycocoevalcap: skipped (no test venv at %s)\n", python.c_str());
    return 0;
  }
  // pycocoevalcap gets the strings already normalised by our default tokenizer (its scorers only split).
  std::vector<std::string> hyps, refs;
  for (size_t i = 0; i < predictions.size(); ++i) {
    hyps.push_back(eval::normalize_default(predictions[i].report));
    refs.push_back(eval::normalize_default(references[i].report));
  }
  const fs::path input = fs::temp_directory_path() / "saerad-bench-eval-input.json";
  write_json_file(input, Json{{"hyps", hyps}, {"refs", refs}});
  const std::string out = run_capture(python.string() + " " + (kSourceDir / "tests/eval/pycocoevalcap_scores.py").string() +
                                      " " + input.string() + " --repeat " + std::to_string(std::max(1, repeat / 2)));
  fs::remove(input);
  if (out.empty()) {
    std::printf("pycocoevalcap: failed to run (is it installed in %s?)\n", python.c_str());
    return 0;
  }
  const Json py = Json::parse(out);
  const double t_py = py["seconds"].get<double>(), t_py_cpu = py["cpu_seconds"].get<double>();
  std::printf("pycocoevalcap BLEU + ROUGE-L + CIDEr-D (pre-tokenized input, best of %d): %.3f s (CPU %.3f s); "
              "BLEU-4 %.6f ROUGE-L %.6f CIDEr-D %.6f\n",
              std::max(1, repeat / 2), t_py, t_py_cpu, py["bleu_4"].get<double>(), py["rouge_l"].get<double>(),
              py["cider_d"].get<double>());
  std::printf("speed-up, same three metrics, 1 thread: %.0fx wall, %.0fx CPU time; %d threads: %.0fx wall\n",
              t_py / t_nlg_1.wall, t_py_cpu / t_nlg_1.cpu, threads_all, t_py / t_nlg_all.wall);
  std::printf("speed-up, all saerad metrics (incl. METEOR approx + CheXpert labeling) vs pycocoevalcap's three, "
              "1 thread: %.1fx wall, %.1fx CPU\n",
              t_py / t_all_1.wall, t_py_cpu / t_all_1.cpu);
  return 0;
}
