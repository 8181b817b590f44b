#pragma once
// IU X-Ray reports with their human MeSH codes, read at test run time from ../shared/data/iu-xray (tests
// that use it skip where it is absent). Shared by the interp and report tests.
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "core/strings.hpp"
#include "support/test_support.hpp"

namespace saerad::testing {

inline constexpr const char* kIuReports = "data/iu-xray/indiana_reports.csv";

struct IuReport {
  std::string uid, findings, impression;
  std::vector<std::string> mesh;  // the major term of each code ("Pleural Effusion/right/small" → "Pleural Effusion")
  bool has(const std::string& code) const {
    for (const auto& m : mesh)
      if (m == code) return true;
    return false;
  }
};

inline std::vector<IuReport> read_iu_reports() {
  CsvTable table(CsvReader::open(shared_dir() / kIuReports));
  const size_t uid = table.require_column("uid"), mesh = table.require_column("MeSH"),
               findings = table.require_column("findings"), impression = table.require_column("impression");
  std::vector<IuReport> out;
  std::vector<std::string> row;
  while (table.next(row)) {
    IuReport r{row[uid], std::string(trim(row[findings])), std::string(trim(row[impression])), {}};
    for (const auto& code : split(row[mesh], ';')) {
      auto major = std::string(trim(split(code, '/').at(0)));
      if (!major.empty()) r.mesh.push_back(major);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace saerad::testing
