// CheXpert labeler throughput on one core: IU X-Ray findings + impression from ../shared (or the labeler's
// 4-report sample, repeated, where ../shared is absent). Target: >= 5,000 reports/s (issue 6).
//   bench/labeler [reports.csv] [repeats]
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/csv.hpp"
#include "core/strings.hpp"
#include "text/chexpert.hpp"

using namespace saerad;

namespace {

std::vector<std::string> load_reports(const std::filesystem::path& iu, const std::filesystem::path& sample) {
  std::vector<std::string> reports;
  if (std::filesystem::exists(iu)) {
    CsvTable table(CsvReader::open(iu));
    const size_t f = table.require_column("findings"), i = table.require_column("impression");
    std::vector<std::string> row;
    while (table.next(row)) {
      std::string text = row[f] + (row[f].empty() || row[i].empty() ? "" : " ") + row[i];
      if (!trim(text).empty()) reports.push_back(std::move(text));
    }
  } else {
    CsvReader reader = CsvReader::open(sample);
    std::vector<std::string> row;
    while (reader.next(row)) reports.push_back(row[0]);
  }
  return reports;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path source = std::filesystem::path(__FILE__).parent_path().parent_path();  // the repo
  const std::filesystem::path iu = argc > 1 ? argv[1] : source / "../shared/data/iu-xray/indiana_reports.csv";
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::vector<std::string> reports = load_reports(iu, source / "tests/data/text/sample_reports.csv");
  size_t bytes = 0;
  for (const auto& r : reports) bytes += r.size();
  std::printf("%zu reports (mean %.0f bytes) from %s\n", reports.size(), double(bytes) / reports.size(),
              std::filesystem::exists(iu) ? iu.c_str() : "the 4-report sample");
  ChexpertLabeler labeler;
  size_t positives = 0;  // keeps the work observable
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& report : reports)
      for (const auto& l : labeler.label(report)) positives += l.has_value() && *l == 1;
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double rate = reports.size() / best;
  std::printf("one core: %.0f reports/s (best of %d; %.1f us/report); target 5000 reports/s: %.2fx  [%zu]\n", rate,
              repeats, 1e6 / rate, rate / 5000.0, positives);
}
