#include "data/iu_xray.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [name, c] : kEntities)
      if (s.substr(i, name.size()) == name) {
        out += c;
        i += name.size() - 1;
        done = true;
        break;
      }
    if (!done) out += '&';
  }
  return out;
}

// Value of attribute `name` inside the tag text `tag` ("<x a=\"1\" b='2'>").
std::string attribute(std::string_view tag, std::string_view name) {
  for (size_t pos = tag.find(name); pos != std::string_view::npos; pos = tag.find(name, pos + 1)) {
    size_t p = pos + name.size();
    if (pos > 0 && !std::isspace(static_cast<unsigned char>(tag[pos - 1]))) continue;
    while (p < tag.size() && tag[p] == ' ') ++p;
    if (p >= tag.size() || tag[p] != '=') continue;
    ++p;
    while (p < tag.size() && tag[p] == ' ') ++p;
    if (p >= tag.size() || (tag[p] != '"' && tag[p] != '\'')) continue;
    const char q = tag[p];
    const size_t end = tag.find(q, p + 1);
    if (end == std::string_view::npos) return "";
    return decode_entities(tag.substr(p + 1, end - p - 1));
  }
  return "";
}

std::string view_of(const std::string& projection) {
  const std::string p = to_lower(trim(projection));
  if (p == "frontal") return "FRONTAL";
  if (p == "lateral") return "LATERAL";
  return std::string(trim(projection));
}

// "1_IM-0001-4001.dcm.png" → "1_IM-0001-4001".
std::string image_id_of(const std::string& filename) {
  std::string id = fs::path(filename).filename().string();
  for (const char* ext : {".png", ".jpg", ".jpeg", ".dcm"}) {
    const std::string e = ext;
    if (id.size() > e.size() && to_lower(id.substr(id.size() - e.size())) == e) id.resize(id.size() - e.size());
  }
  return id;
}

struct Study {
  StudyRow report;                                          // report fields + ids
  std::vector<std::pair<std::string, std::string>> images;  // filename, view
};

void add_rows(const IuXrayOptions& o, std::vector<Study>& studies, DatasetBuild& build) {
  for (Study& s : studies) {
    if (!o.split_fractions.empty()) s.report.split = hash_split(s.report.study_id, o.split_fractions, o.seed);
    if (o.images.empty() || s.images.empty()) {
      if (o.frontal_only && !s.images.empty() &&
          std::none_of(s.images.begin(), s.images.end(), [](const auto& im) { return is_frontal_view(im.second); }))
        continue;
      build.rows.push_back(s.report);
      continue;
    }
    for (const auto& [filename, view] : s.images) {
      if (o.frontal_only && !is_frontal_view(view)) continue;
      const fs::path file = o.images / filename;
      if (!fs::exists(file)) {
        log_warning(fmt::format("{}: image of study {} not found; skipped", file.string(), s.report.study_id));
        ++build.missing_images;
        continue;
      }
      StudyRow row = s.report;
      row.image_id = image_id_of(filename);
      row.image_path = manifest_image_path(file, o.manifest_dir);
      row.view = view;
      build.rows.push_back(std::move(row));
    }
  }
}

std::vector<Study> read_tables(const IuXrayOptions& o, DatasetBuild& build) {
  std::vector<Study> studies;
  std::unordered_map<std::string, size_t> index;
  CsvTable reports(CsvReader::open(o.reports));
  const size_t uid = reports.require_column("uid");
  const auto indication = reports.column("indication"), comparison = reports.column("comparison"),
             findings = reports.column("findings"), impression = reports.column("impression");
  auto get = [](const std::vector<std::string>& row, std::optional<size_t> c) {
    return c ? collapse_whitespace(row[*c]) : std::string();
  };
  std::vector<std::string> row;
  while (reports.next(row)) {
    const std::string id(trim(row[uid]));
    if (id.empty()) {
      build.report_malformed(reports.where(), "empty uid");
      continue;
    }
    if (index.count(id)) {
      build.report_malformed(reports.where(), fmt::format("uid {} repeated", id));
      continue;
    }
    Study s;
    s.report.study_id = s.report.subject_id = id;
    s.report.indication = get(row, indication);
    s.report.comparison = get(row, comparison);
    s.report.findings = get(row, findings);
    s.report.impression = get(row, impression);
    if (s.report.findings.empty() && s.report.impression.empty()) ++build.missing_reports;
    index[id] = studies.size();
    studies.push_back(std::move(s));
  }
  build.malformed += size_t(reports.skipped());
  if (!o.projections.empty()) {
    CsvTable projections(CsvReader::open(o.projections));
    const size_t puid = projections.require_column("uid"), filename = projections.require_column("filename"),
                 projection = projections.require_column("projection");
    while (projections.next(row)) {
      const auto it = index.find(std::string(trim(row[puid])));
      if (it == index.end()) {
        build.report_malformed(projections.where(), fmt::format("uid {} has no report", row[puid]));
        continue;
      }
      if (trim(row[filename]).empty()) {
        build.report_malformed(projections.where(), "empty filename");
        continue;
      }
      studies[it->second].images.emplace_back(std::string(trim(row[filename])), view_of(row[projection]));
    }
    build.malformed += size_t(projections.skipped());
  }
  return studies;
}

std::vector<Study> read_xml(const IuXrayOptions& o, DatasetBuild& build) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(o.xml_dir))
    if (entry.is_regular_file() && to_lower(entry.path().extension().string()) == ".xml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Study> studies;
  for (const fs::path& file : files) {
    const auto report = parse_openi_xml(read_text_file(file));
    if (!report) {
      build.report_malformed(file.string(), "no <uId id=...> element");
      continue;
    }
    Study s;
    s.report.study_id = s.report.subject_id = report->uid;
    s.report.indication = report->indication;
    s.report.comparison = report->comparison;
    s.report.findings = report->findings;
    s.report.impression = report->impression;
    if (s.report.findings.empty() && s.report.impression.empty()) ++build.missing_reports;
    for (const std::string& image : report->images) s.images.emplace_back(image + ".png", "");
    studies.push_back(std::move(s));
  }
  return studies;
}

}  // namespace

std::optional<OpenIReport> parse_openi_xml(std::string_view xml) {
  OpenIReport r;
  for (size_t pos = xml.find('<'); pos != std::string_view::npos; pos = xml.find('<', pos + 1)) {
    const size_t close = xml.find('>', pos);
    if (close == std::string_view::npos) break;
    const std::string_view tag = xml.substr(pos, close - pos + 1);
    if (tag.starts_with("<uId")) {
      r.uid = attribute(tag, "id");
    } else if (tag.starts_with("<parentImage")) {
      const std::string id = attribute(tag, "id");
      if (!id.empty()) r.images.push_back(id);
    } else if (tag.starts_with("<AbstractText")) {
      const size_t end = xml.find("</AbstractText>", close);
      if (end == std::string_view::npos) break;
      std::string text = collapse_whitespace(decode_entities(xml.substr(close + 1, end - close - 1)));
      const std::string label = to_lower(attribute(tag, "Label"));
      if (label == "indication")
        r.indication = std::move(text);
      else if (label == "comparison")
        r.comparison = std::move(text);
      else if (label == "findings")
        r.findings = std::move(text);
      else if (label == "impression")
        r.impression = std::move(text);
    }
  }
  if (r.uid.empty()) return std::nullopt;
  return r;
}

DatasetBuild build_iu_xray(const IuXrayOptions& o, Json* inputs) {
  if (o.reports.empty() == o.xml_dir.empty())
    fail_input("iu-xray: give either --reports indiana_reports.csv (with --projections) or --xml DIR");
  if (!o.images.empty() && !fs::is_directory(o.images)) fail_input("{}: not a directory", o.images.string());
  DatasetBuild build;
  std::vector<Study> studies = o.xml_dir.empty() ? read_tables(o, build) : read_xml(o, build);
  if (inputs) {
    if (!o.reports.empty()) (*inputs)["reports"] = fingerprint_file(o.reports);
    if (!o.projections.empty()) (*inputs)["projections"] = fingerprint_file(o.projections);
    if (!o.xml_dir.empty()) (*inputs)["xml_dir"] = fs::absolute(o.xml_dir).string();
    if (!o.images.empty()) (*inputs)["images"] = fs::absolute(o.images).string();
  }
  add_rows(o, studies, build);
  return build;
}

}  // namespace saerad
