// Dataset readers → studies.csv: MIMIC-CXR(-JPG) trees, IU X-Ray tables and Open-i XML, generic CSV/JSONL;
// malformed rows reported (file:line) and skipped; the summary per split/view. Inputs are built in a temp dir.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "data/dataset.hpp"
#include "data/generic_dataset.hpp"
#include "data/iu_xray.hpp"
#include "data/mimic_cxr.hpp"
#include "support/test_support.hpp"
#include "text/chexpert.hpp"

namespace saerad {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

void write_gz(const fs::path& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, text.data(), unsigned(text.size())), int(text.size()));
  gzclose(f);
}

const StudyRow* find_image(const Manifest& m, const std::string& image_id) {
  for (const StudyRow& r : m.rows)
    if (r.image_id == image_id) return &r;
  return nullptr;
}

// A miniature MIMIC-CXR-JPG + reports tree: 2 subjects, 3 studies, 5 images (one study without a report), one
// image in a malformed folder, a gzipped metadata table and a split table with one bad row.
struct MimicTree {
  TempDir dir;
  fs::path jpg, reports;
  MimicTree() : jpg(dir / "mimic-cxr-jpg"), reports(dir / "mimic-cxr/files") {
    for (const char* image :
         {"p10/p10000032/s50000001/aaa.jpg", "p10/p10000032/s50000001/bbb.jpg", "p10/p10000032/s50000002/ccc.jpg",
          "p11/p11000011/s50000004/ddd.jpg", "p11/p11000011/s50000004/eee.jpg", "p11/pXYZ/s1/fff.jpg"})
      write(jpg / "files" / image, "not really a jpeg");
    for (const char* study : {"s50000001", "s50000002", "s50000004"}) {
      const std::string subject = std::string(study) == "s50000004" ? "p11/p11000011" : "p10/p10000032";
      if (std::string(study) == "s50000002") continue;  // no report for this study
      write(reports / subject / (std::string(study) + ".txt"),
            read_text_file(testing::test_data_dir() / "text/reports" / (std::string(study) + ".txt")));
    }
    write_gz(jpg / "mimic-cxr-2.0.0-metadata.csv.gz",
             "dicom_id,subject_id,study_id,PerformedProcedureStepDescription,ViewPosition,Rows,Columns,StudyDate,"
             "StudyTime\n"
             "aaa,10000032,50000001,CHEST (PA AND LAT),PA,3056,2544,21800506,213428.234\n"
             "bbb,10000032,50000001,CHEST (PA AND LAT),LATERAL,3056,2544,21800506,213428.234\n"
             "ccc,10000032,50000002,CHEST (PORTABLE AP),AP,3056,2544,21800626,93428\n"
             "ddd,11000011,50000004,CHEST (PA AND LAT),PA,3056,2544,21200101,000501\n"
             "eee,11000011,50000004,CHEST (PA AND LAT),LL,3056,2544,21200101,000501\n");
    write(jpg / "mimic-cxr-2.0.0-split.csv",
          "dicom_id,study_id,subject_id,split\n"
          "aaa,50000001,10000032,train\nbbb,50000001,10000032,train\nccc,50000002,10000032,validate\n"
          "ddd,50000004,11000011,test\neee,50000004,11000011,testing\n");
  }
};

TEST(MimicCxr, BuildsOneRowPerImageWithTablesAndSections) {
  MimicTree t;
  const fs::path out = t.dir / "studies.csv";
  const auto r = testing::run_saerad({"--json", "dataset", "mimic-cxr", "--jpg-root", t.jpg.string(), "--reports",
                                      t.reports.parent_path().string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The malformed folder and the unknown split value are reported with their location.
  EXPECT_NE(r.err.find("fff.jpg: not under pSUBJECT/sSTUDY/ folders; skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mimic-cxr-2.0.0-split.csv:6: unknown split 'testing'; skipped"), std::string::npos) << r.err;
  const Manifest m = read_manifest(out);
  ASSERT_EQ(m.rows.size(), 5u);
  const StudyRow* aaa = find_image(m, "aaa");
  ASSERT_NE(aaa, nullptr);
  EXPECT_EQ(aaa->study_id, "50000001");
  EXPECT_EQ(aaa->subject_id, "10000032");
  EXPECT_EQ(aaa->view, "PA");
  EXPECT_EQ(aaa->split, "train");
  EXPECT_EQ(aaa->study_datetime, "2180-05-06T21:34:28");
  EXPECT_EQ(aaa->image_path, "mimic-cxr-jpg/files/p10/p10000032/s50000001/aaa.jpg");  // relative to the CSV
  EXPECT_TRUE(fs::exists(m.image_file(*aaa)));
  EXPECT_EQ(aaa->impression, "No acute cardiopulmonary process.");
  EXPECT_EQ(aaa->comparison, "None.");
  EXPECT_EQ(find_image(m, "ccc")->study_datetime, "2180-06-26T09:34:28");  // leading zero restored
  EXPECT_EQ(find_image(m, "ccc")->findings, "");                           // no report file
  EXPECT_EQ(find_image(m, "eee")->split, "");                              // its split row was malformed
  EXPECT_EQ(find_image(m, "ddd")->impression.substr(0, 32), "Single frontal view of the chest");
  const Json summary = parse_json(r.out, "stdout");
  EXPECT_EQ(summary["rows"], 5);
  EXPECT_EQ(summary["studies"], 3);
  EXPECT_EQ(summary["subjects"], 2);
  EXPECT_EQ(summary["missing_reports"], 1);
  EXPECT_EQ(summary["malformed_skipped"], 2);
  EXPECT_EQ(summary["splits"]["train"]["rows_per_view"]["LATERAL"], 1);
  EXPECT_EQ(summary["splits"]["test"]["studies"], 1);
  EXPECT_TRUE(fs::exists(t.dir / "studies.run.json"));
}

TEST(MimicCxr, FrontalOnlyAndReportsOnly) {
  MimicTree t;
  MimicCxrOptions o;
  o.jpg_root = t.jpg;
  o.frontal_only = true;
  o.manifest_dir = t.dir.path();
  const DatasetBuild frontal = build_mimic_cxr(o);
  std::vector<std::string> ids;
  for (const auto& r : frontal.rows) ids.push_back(r.image_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"aaa", "ccc", "ddd"}));

  MimicCxrOptions reports_only;
  reports_only.reports_root = t.reports;
  const DatasetBuild studies = build_mimic_cxr(reports_only);
  ASSERT_EQ(studies.rows.size(), 2u);
  EXPECT_EQ(studies.rows[0].study_id, "50000001");
  EXPECT_EQ(studies.rows[0].image_path, "");
  EXPECT_EQ(studies.rows[1].subject_id, "11000011");
}

// MIMIC-CXR-JPG's CheXpert table (labels per study; one malformed value) becomes a labels CSV of the
// manifest's studies that `eval --ref-labels` reads; a study without a table row is left out.
TEST(MimicCxr, ChexpertTableBecomesReferenceLabels) {
  MimicTree t;
  std::string header = "subject_id,study_id";
  for (std::string_view name : kObservations) header += "," + std::string(name);
  write_gz(t.jpg / "mimic-cxr-2.0.0-chexpert.csv.gz",
           header + "\n"
                    "10000032,50000001,1.0,,,,,,,,,,,,,\n"                          // No Finding
                    "10000032,50000002,,,1.0,,,0.0,,,-1.0,,1.0,,,\n"                // Cardiomegaly, Edema 0, ...
                    "11000011,50000004,,,maybe,,,,,,,,,,,\n");                        // malformed: skipped
  const fs::path out = t.dir / "studies.csv", labels = t.dir / "labels.csv";
  const auto r = testing::run_saerad({"--json", "dataset", "mimic-cxr", "--jpg-root", t.jpg.string(), "--reports",
                                      t.reports.parent_path().string(), "--out", out.string(), "--labels-out",
                                      labels.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("mimic-cxr-2.0.0-chexpert.csv.gz:4: column 'Cardiomegaly': expected 1.0, 0.0, -1.0 or "
                       "blank, got 'maybe'; skipped"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(parse_json(r.out, "stdout")["studies_with_reference_labels"], 2);
  CsvTable table(CsvReader::open(labels));
  EXPECT_EQ(table.header().at(0), "study_id");
  EXPECT_EQ(table.header().at(1), "Reports");
  const size_t cardiomegaly = table.require_column("Cardiomegaly"), atelectasis = table.require_column("Atelectasis"),
               no_finding = table.require_column("No Finding"), effusion = table.require_column("Pleural Effusion");
  std::vector<std::vector<std::string>> rows;
  for (std::vector<std::string> row; table.next(row);) rows.push_back(row);
  ASSERT_EQ(rows.size(), 2u);  // 50000004's row was malformed; one row per study, not per image
  EXPECT_EQ(rows[0][0], "50000001");
  EXPECT_EQ(rows[0][1], "No acute cardiopulmonary process.");  // the impression the labels came from
  EXPECT_EQ(rows[0][no_finding], "1.0");
  EXPECT_EQ(rows[1][0], "50000002");
  EXPECT_EQ(rows[1][cardiomegaly], "1.0");
  EXPECT_EQ(rows[1][atelectasis], "-1.0");
  EXPECT_EQ(rows[1][effusion], "1.0");
  EXPECT_EQ(rows[1][no_finding], "");

  // Asking for labels where there is no table is an error naming the option.
  fs::remove(t.jpg / "mimic-cxr-2.0.0-chexpert.csv.gz");
  const auto none = testing::run_saerad({"dataset", "mimic-cxr", "--jpg-root", t.jpg.string(), "--out", out.string(),
                                         "--labels-out", labels.string()});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--labels-out"), std::string::npos) << none.err;
}

TEST(Manifest, PreviousStudyIsTheSubjectsLatestEarlierOne) {
  Manifest m;
  auto add = [&](const char* study, const char* subject, const char* when) {
    StudyRow row;
    row.study_id = study;
    row.subject_id = subject;
    row.study_datetime = when;
    m.rows.push_back(row);
    m.rows.push_back(row);  // a second image of the study: still one study
  };
  add("c", "p1", "2020-03-01T08:00:00");
  add("a", "p1", "2020-01-01T08:00:00");
  add("b1", "p1", "2020-02-01T08:00:00");
  add("b2", "p1", "2020-02-01T08:00:00");  // same time as b1: neither is the other's prior
  add("x", "p2", "2020-02-01T08:00:00");
  add("undated", "p1", "");
  const auto previous = m.previous_studies();
  auto prior = [&](const std::string& s) { return previous.count(s) ? previous.at(s)->study_id : std::string("-"); };
  EXPECT_EQ(prior("a"), "-");
  EXPECT_EQ(prior("b1"), "a");
  EXPECT_EQ(prior("b2"), "a");
  EXPECT_EQ(prior("c"), "b2");  // the later of the tied pair in file order (stable)
  EXPECT_EQ(prior("x"), "-");   // another subject
  EXPECT_EQ(prior("undated"), "-");
}

TEST(MimicCxr, DatetimeFormats) {
  EXPECT_EQ(mimic_datetime("21800506", "213428.234"), "2180-05-06T21:34:28");
  EXPECT_EQ(mimic_datetime("21800506", "5"), "2180-05-06T00:00:05");
  EXPECT_EQ(mimic_datetime("21800506", ""), "2180-05-06");  // no time: the date alone
  EXPECT_EQ(mimic_datetime("2180-05", "1"), "");
}

TEST(IuXray, TwoTablesWithImagesSplitAndMissingFiles) {
  TempDir dir;
  write(dir / "indiana_reports.csv",
        "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
        "1,normal,normal,Xray Chest PA and Lateral,Positive TB test,None.,The heart is normal. No effusion.,Normal "
        "chest.\n"
        "2,Cardiomegaly/borderline,Cardiomegaly,x,Preop.,None.,Borderline cardiomegaly.,No acute findings.\n"
        ",bad,row,x,x,x,x,x\n"
        "3,normal,normal,x,x,x,,\n");
  write(dir / "indiana_projections.csv",
        "uid,filename,projection\n1,1_IM-0001-4001.dcm.png,Frontal\n1,1_IM-0001-3001.dcm.png,Lateral\n"
        "2,2_IM-0652-1001.dcm.png,Frontal\n2,2_IM-0652-2001.dcm.png,Lateral\n9,9_x.png,Frontal\n");
  for (const char* f : {"1_IM-0001-4001.dcm.png", "1_IM-0001-3001.dcm.png", "2_IM-0652-1001.dcm.png"})
    write(dir / "images" / f, "png");
  const fs::path out = dir / "out/studies.csv";
  const auto r =
      testing::run_saerad({"--json", "dataset", "iu-xray", "--reports", (dir / "indiana_reports.csv").string(),
                           "--projections", (dir / "indiana_projections.csv").string(), "--images",
                           (dir / "images").string(), "--split", "0.5,0.25,0.25", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("indiana_reports.csv:4: empty uid; skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("indiana_projections.csv:6: uid 9 has no report; skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2_IM-0652-2001.dcm.png"), std::string::npos) << r.err;  // missing image named
  const Manifest m = read_manifest(out);
  ASSERT_EQ(m.rows.size(), 4u);  // 3 images found + study 3 (no projections) as a reports-only row
  const StudyRow* frontal = find_image(m, "1_IM-0001-4001");
  ASSERT_NE(frontal, nullptr);
  EXPECT_EQ(frontal->view, "FRONTAL");
  // Outside the manifest's folder (out/): written absolute.
  EXPECT_TRUE(fs::path(frontal->image_path).is_absolute()) << frontal->image_path;
  EXPECT_TRUE(fs::exists(m.image_file(*frontal)));
  EXPECT_EQ(frontal->findings, "The heart is normal. No effusion.");
  EXPECT_EQ(frontal->indication, "Positive TB test");
  for (const StudyRow& row : m.rows)
    EXPECT_TRUE(row.split == "train" || row.split == "validate" || row.split == "test");
  const Json summary = parse_json(r.out, "stdout");
  EXPECT_EQ(summary["missing_images"], 1);
  EXPECT_EQ(summary["studies"], 3);
  // The hash split is a function of (id, seed) only.
  EXPECT_EQ(hash_split("1", {0.5, 0.25, 0.25}, 0), frontal->split);
  EXPECT_EQ(hash_split("x", {1.0, 0.0, 0.0}, 7), "train");
  EXPECT_EQ(hash_split("x", {0.0, 0.0, 1.0}, 7), "test");
  EXPECT_THROW(hash_split("x", {0.5, 0.6, 0.0}, 7), InputError);
}

TEST(IuXray, OpenIXml) {
  TempDir dir;
  write(dir / "xml/1.xml", R"(<?xml version="1.0" encoding="utf-8"?>
<eCitation><uId id="CXR1"/><MedlineCitation><Article><Abstract>
<AbstractText Label="COMPARISON">None.</AbstractText>
<AbstractText Label="INDICATION">Positive TB test</AbstractText>
<AbstractText Label="FINDINGS">The cardiac silhouette and mediastinum size are within normal limits. There is no
 pulmonary edema &amp; no effusion.</AbstractText>
<AbstractText Label="IMPRESSION">Normal chest x-XXXX.</AbstractText>
</Abstract></Article></MedlineCitation>
<parentImage id="CXR1_1_IM-0001-3001"><figureId>F1</figureId></parentImage>
<parentImage id="CXR1_1_IM-0001-4001"><figureId>F2</figureId></parentImage></eCitation>)");
  write(dir / "xml/broken.xml", "<eCitation></eCitation>");
  IuXrayOptions o;
  o.xml_dir = dir / "xml";
  const DatasetBuild build = build_iu_xray(o);
  EXPECT_EQ(build.malformed, 1u);
  ASSERT_EQ(build.rows.size(), 1u);  // no --images: one row per study
  EXPECT_EQ(build.rows[0].study_id, "CXR1");
  EXPECT_EQ(build.rows[0].findings,
            "The cardiac silhouette and mediastinum size are within normal limits. There is no pulmonary edema & no "
            "effusion.");
  EXPECT_EQ(build.rows[0].impression, "Normal chest x-XXXX.");
  const auto parsed = parse_openi_xml(read_text_file(dir / "xml/1.xml"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->images, (std::vector<std::string>{"CXR1_1_IM-0001-3001", "CXR1_1_IM-0001-4001"}));
}

TEST(GenericDataset, CsvWithMappedColumnsAndWholeReports) {
  TempDir dir;
  write(dir / "img/a.png", "png");
  write(dir / "data.csv",
        "id,patient,file,projection,report\n"
        "s1,p1,img/a.png,PA,\"FINDINGS: Small left effusion.\n\nIMPRESSION: Effusion.\"\n"
        ",p2,img/a.png,PA,x\n"
        "s3,p3,img/missing.png,AP,x\n"
        "s4,p4,,LATERAL,Lungs are clear.\n"
        "s5,too,many,fields,here,now\n");
  const fs::path out = dir / "studies.csv";
  const auto r = testing::run_saerad({"dataset", "csv", (dir / "data.csv").string(), "--map",
                                      "study_id=id,subject_id=patient,image_path=file", "--map", "view=projection",
                                      "--report-column", "report", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Line numbers count the physical lines (the first record spans three).
  EXPECT_NE(r.err.find("data.csv:5: no study id (column 'id'); skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("data.csv:6: image"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("data.csv:8: 6 fields"), std::string::npos) << r.err;  // from the CSV reader
  const Manifest m = read_manifest(out);
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(m.rows[0].study_id, "s1");
  EXPECT_EQ(m.rows[0].image_id, "a");
  EXPECT_EQ(m.rows[0].image_path, "img/a.png");
  EXPECT_EQ(m.rows[0].findings, "Small left effusion.");
  EXPECT_EQ(m.rows[0].impression, "Effusion.");
  EXPECT_EQ(m.rows[1].findings, "Lungs are clear.");  // un-headed report: its last paragraph
  EXPECT_NE(r.err.find("split"), std::string::npos);  // the summary table goes to stderr
}

TEST(GenericDataset, JsonlAndBadLines) {
  TempDir dir;
  write(dir / "data.jsonl",
        "{\"study_id\": 7, \"findings\": \"No effusion.\", \"split\": \"test\"}\n"
        "not json\n"
        "\n"
        "[1, 2]\n"
        "{\"study_id\": \"8\", \"impression\": \"Normal.\", \"view\": \"LATERAL\"}\n");
  GenericDatasetOptions o;
  o.input = dir / "data.jsonl";
  o.jsonl = true;
  const DatasetBuild build = build_generic_dataset(o);
  EXPECT_EQ(build.malformed, 2u);
  ASSERT_EQ(build.rows.size(), 2u);
  EXPECT_EQ(build.rows[0].study_id, "7");
  EXPECT_EQ(build.rows[0].split, "test");
  o.frontal_only = true;
  EXPECT_EQ(build_generic_dataset(o).rows.size(), 0u);
  EXPECT_THROW(parse_column_map({"nonsense=x"}), InputError);
  EXPECT_THROW(parse_column_map({"findings"}), InputError);
}

TEST(DatasetSummary, CountsPerSplitAndView) {
  DatasetBuild b;
  for (const auto& [study, split, view] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"1", "train", "PA"}, {"1", "train", "LATERAL"}, {"2", "train", "PA"}, {"3", "test", "AP"}, {"4", "", ""}}) {
    StudyRow r;
    r.study_id = study;
    r.split = split;
    r.view = view;
    r.findings = study == "4" ? "" : "x";
    b.rows.push_back(r);
  }
  const DatasetSummary s = summarize_dataset(b);
  EXPECT_EQ(s.rows, 5u);
  EXPECT_EQ(s.studies, 4u);
  EXPECT_EQ(s.with_findings, 3u);
  EXPECT_EQ(s.images.at("train").at("PA"), 2u);
  EXPECT_EQ(s.studies_per_split.at("train"), 2u);
  EXPECT_EQ(s.studies_per_split.at(""), 1u);
  EXPECT_NE(s.to_table().find("train"), std::string::npos);
  EXPECT_EQ(s.to_json()["splits"]["-"]["studies"], 1);
}

TEST(Dataset, GzipTablesAndErrors) {
  TempDir dir;
  write_gz(dir / "t.csv.gz", "a,b\n1,2\n");
  EXPECT_EQ(read_table_text(dir / "t.csv.gz"), "a,b\n1,2\n");
  write(dir / "bad.csv.gz", "not gzip at all");
  // zlib reads a non-gzip file transparently; a missing file is an input error naming it.
  EXPECT_THROW(read_table_text(dir / "absent.csv.gz"), InputError);
  EXPECT_THROW(build_mimic_cxr(MimicCxrOptions{}), InputError);
}

}  // namespace
}  // namespace saerad
