#include "demo/demo_page.hpp"

#include <cmath>
#include <regex>
#include <set>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "demo/demo_page_style.hpp"
#include "demo/phantom_cohort.hpp"
#include "vision/pillow_resample.hpp"

namespace saerad::demo {

namespace fs = std::filesystem;

namespace {

std::string num(double v, int digits = 3) {
  if (!std::isfinite(v)) return "–";
  return fmt::format("{:.{}f}", v, digits);
}

double at_path(const Json& j, std::initializer_list<const char*> path) {
  const Json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return NAN;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<double>() : NAN;
}

std::string image_path(const DemoPageData& d, const PhantomStudy& st) {
  return (d.cohort_dir / "images" / (st.study_id + ".png")).generic_string();
}

// A 96-pixel thumbnail of a study's image under thumbs/ (written once), its relative path.
class Thumbnails {
 public:
  Thumbnails(const fs::path& out, const DemoPageData& d) : out_(out), data_(d) {
    for (size_t i = 0; i < d.cohort->studies.size(); ++i) index_.emplace(d.cohort->studies[i].study_id, i);
  }
  std::string get(const std::string& study_id) {
    const std::string rel = "thumbs/" + study_id + ".png";
    if (written_.insert(study_id).second) {
      const auto it = index_.find(study_id);
      if (it == index_.end()) return "";
      const Image image = read_image(out_ / image_path(data_, data_.cohort->studies[it->second]));
      write_png(out_ / rel, pillow_resize(to_gray(image), 96, 96, PillowFilter::kBilinear));
    }
    return rel;
  }

 private:
  fs::path out_;
  const DemoPageData& data_;
  std::map<std::string, size_t> index_;
  std::set<std::string> written_;
};

std::string findings_summary(const PhantomStudy& st) {
  std::string s;
  for (size_t f = 0; f < kNumFindings; ++f)
    if (st.findings[f].present) {
      if (!s.empty()) s += ", ";
      s += std::string(kFindingNames[f]);
    }
  return s.empty() ? "no findings" : s;
}

std::string section_header(const DemoPageData& d) {
  const Json& m = d.metrics;
  const Json& cfg = m["config"];
  std::string h;
  h += "<header><h1>SAE-Rad demo: a synthetic chest X-ray cohort with known ground truth</h1>\n";
  h += fmt::format(
      "<p class=lede>{} phantom studies ({} train, {} test) &rarr; {} encoder (d = {}) &rarr; gated-hybrid sparse "
      "autoencoder with {} latents (&times;{}) trained on the training split &rarr; {} feature descriptions "
      "&rarr; {} reports for the test split &rarr; evaluation against the ground-truth reports. Every number on "
      "this page was measured by this run; nothing is hand-set.</p>\n",
      cfg.value("n", 0), cfg.value("train_studies", 0), cfg.value("test_studies", 0), html_escape(d.encoder),
      cfg.value("d_in", 0), cfg.value("d_sae", 0), cfg.value("expansion", 0), html_escape(d.describer), html_escape(d.composer));
  h += "<div class=headline>";
  h += fmt::format("<div><b>{}</b><span>concept recovery, mean test AUROC (chance 0.5)</span></div>",
                   num(at_path(m, {"concept_recovery", "mean"})));
  h += fmt::format("<div><b>{}</b><span>CheXpert micro-F1 (14) of generated reports</span></div>",
                   num(at_path(m, {"chexpert", "uncertain_as_negative", "micro_f1_14"})));
  h += fmt::format("<div><b>{}</b><span>same, a random training study's report</span></div>",
                   num(at_path(m, {"random_training_report", "chexpert", "uncertain_as_negative", "micro_f1_14"})));
  h += fmt::format("<div><b>{}</b><span>total run time (s)</span></div>", num(at_path(m, {"stage_seconds", "total"}), 1));
  h += "</div>\n<nav><a href=\"#cohort\">Cohort</a> <a href=\"#concepts\">Concept recovery</a> <a href=\"#metrics\">"
       "Report metrics</a> <a href=\"#features\">Features</a> <a href=\"#studies\">Test studies</a> <a "
       "href=\"#training\">Training</a> <a href=\"#timings\">Timings</a></nav></header>\n";
  return h;
}

std::string section_cohort(const DemoPageData& d) {
  std::array<int, kNumFindings> train{}, test{};
  for (size_t i = 0; i < d.cohort->studies.size(); ++i)
    for (size_t f = 0; f < kNumFindings; ++f)
      if (d.cohort->studies[i].findings[f].present) ++(d.cohort->splits[i] == "test" ? test : train)[f];
  std::string h = "<section id=cohort><h2>The cohort</h2>\n";
  h += "<p>Frontal radiographs drawn from a parametric anatomy (lungs, heart and mediastinum, hila and vessels, "
       "domes and costophrenic angles, ribs, clavicles, spine) with patient variation, and findings with location, "
       "laterality and severity that co-occur as they do in heart-failure, ICU, pneumonia, trauma and oncology "
       "patients. Each study's findings report is written from its ground truth in varied radiology phrasing.</p>\n";
  h += fmt::format("<img class=sheet src=\"{}\" alt=\"contact sheet of the first phantom studies\">\n",
                   html_escape((d.cohort_dir / "contact_sheet.png").generic_string()));
  h += "<table class=compact><tr><th>finding</th><th>train</th><th>test</th></tr>";
  for (size_t f = 0; f < kNumFindings; ++f)
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", kFindingNames[f], train[f], test[f]);
  h += "</table>\n<p class=note>Files: <a href=\"cohort/studies.csv\">studies.csv</a>, <a "
       "href=\"cohort/labels.csv\">labels.csv</a> (ground truth), <a href=\"cohort/chexpert_labels.csv\">"
       "chexpert_labels.csv</a> (what each report states).</p></section>\n";
  return h;
}

std::string feature_description(const DemoPageData& d, int64_t id) {
  if (id < 0) return "";
  const auto rec = d.store->feature(id);
  if (!rec) return "";
  if (!rec->interpretable.has_value()) return "(not described)";
  return *rec->interpretable ? rec->description : "(not interpretable)";
}

std::string section_concepts(const DemoPageData& d) {
  std::string h = "<section id=concepts><h2>Concept recovery</h2>\n<p>For each ground-truth finding, the single SAE "
                  "feature whose activation best separates studies with and without it on the <em>training</em> "
                  "split, and its AUROC on the <em>test</em> split (chance 0.5).</p>\n";
  h += "<table><tr><th>finding</th><th>feature</th><th>train AUROC</th><th>test AUROC</th><th>test positives</th>"
       "<th>feature description</th></tr>";
  for (const auto& c : d.concepts) {
    const double a = c.test_auroc;
    const char* cls = !std::isfinite(a) ? "" : a >= 0.9 ? "good" : a >= 0.75 ? "fair" : "poor";
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class={}>{}</td><td>{}</td><td>{}</td></tr>",
                     html_escape(c.concept_name), c.feature >= 0 ? "#" + std::to_string(c.feature) : "–", num(c.train_auroc),
                     cls, num(a), c.test_positives, html_escape(feature_description(d, c.feature)));
  }
  h += fmt::format("<tr class=total><td>mean</td><td></td><td></td><td>{}</td><td></td><td></td></tr></table>",
                   num(at_path(d.metrics, {"concept_recovery", "mean"})));
  return h + "</section>\n";
}

std::string section_metrics(const DemoPageData& d) {
  const Json& m = d.metrics;
  const Json& b = m["random_training_report"];
  struct Row {
    const char* name;
    std::initializer_list<const char*> path;
  };
  const Row rows[] = {{"CheXpert micro-F1 (14)", {"chexpert", "uncertain_as_negative", "micro_f1_14"}},
                      {"CheXpert macro-F1 (14)", {"chexpert", "uncertain_as_negative", "macro_f1_14"}},
                      {"CheXpert micro-F1 (5)", {"chexpert", "uncertain_as_negative", "micro_f1_5"}},
                      {"CheXpert macro-F1 (5)", {"chexpert", "uncertain_as_negative", "macro_f1_5"}},
                      {"BLEU-4", {"bleu_4"}},
                      {"ROUGE-L", {"rouge_l"}},
                      {"CIDEr-D", {"cider_d"}},
                      {"METEOR (approx.)", {"meteor_approx"}}};
  std::string h = "<section id=metrics><h2>Report metrics</h2>\n<p>Generated test reports against the ground-truth "
                  "reports (<code>saerad eval</code>), beside the floor every report generator must clear: the report "
                  "of a random training study (seeded).</p>\n<table><tr><th>metric</th><th>SAE-Rad</th><th>random "
                  "training report</th></tr>";
  for (const auto& r : rows)
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", r.name, num(at_path(m, r.path)), num(at_path(b, r.path)));
  h += fmt::format("</table><p class=note>{} test studies; reports in <a href=\"predictions.jsonl\">predictions.jsonl"
                   "</a>, references in <a href=\"references.jsonl\">references.jsonl</a>.</p></section>\n",
                   m.value("n", 0));
  return h;
}

std::string enrichment_html(const Json& enrichment) {
  auto items = enrichment_from_json(enrichment);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.log_odds > b.log_odds; });
  std::string h;
  for (size_t i = 0; i < items.size() && i < 3; ++i) {
    if (items[i].log_odds <= 0) break;
    h += fmt::format("<span class=tag>{} {:.0f}% vs {:.0f}%</span> ", html_escape(items[i].label), 100 * items[i].top_rate,
                     100 * items[i].base_rate);
  }
  return h;
}

std::string section_features(const DemoPageData& d, Thumbnails& thumbs) {
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (const auto& c : d.concepts)
    if (c.feature >= 0 && seen.insert(c.feature).second) ids.push_back(c.feature);
  FeatureQuery q;
  q.sort = FeatureSortKey::Enrichment;
  q.descending = true;
  q.interpretable = true;
  q.limit = 40;
  for (const auto& rec : d.store->query(q).features)
    if (ids.size() < 24 && seen.insert(rec.id).second) ids.push_back(rec.id);
  std::string h = "<section id=features><h2>Top features</h2>\n<p>The concept-recovery features first, then the "
                  "interpretable features with the strongest label enrichment: description, firing density, "
                  "description score (AUROC on held-out studies), the labels enriched among its top examples "
                  "(rate among examples vs base rate), and its top-activating studies.</p>\n<div class=cards>";
  for (int64_t id : ids) {
    const auto rec = d.store->feature(id);
    if (!rec) continue;
    h += fmt::format("<div class=card><h3>feature #{}</h3><p class=desc>{}</p><p class=stats>density {} · "
                     "description score {}</p><p>{}</p><div class=thumbs>",
                     id, html_escape(feature_description(d, id)), num(rec->density), num(rec->description_score.value_or(NAN)),
                     enrichment_html(rec->enrichment));
    const auto examples = d.store->examples(id);
    for (size_t k = 0; k < examples.size() && k < 6; ++k) {
      const std::string t = thumbs.get(examples[k].study_id);
      if (!t.empty())
        h += fmt::format("<img src=\"{}\" title=\"{} (activation {:.2f})\" alt=\"{}\">", html_escape(t),
                         html_escape(examples[k].study_id), examples[k].activation, html_escape(examples[k].study_id));
    }
    h += "</div></div>\n";
  }
  return h + "</div></section>\n";
}

std::string section_studies(const DemoPageData& d) {
  std::string h = "<section id=studies><h2>Test studies</h2>\n<p>Image, ground truth, the ground-truth report and the "
                  "generated report; each generated sentence lists the SAE features it was written from.</p>\n";
  for (size_t i = 0; i < d.test_studies.size() && i < 12; ++i) {
    const DemoStudyView& v = d.test_studies[i];
    const PhantomStudy& st = d.cohort->studies[v.cohort_index];
    h += fmt::format("<div class=study><img src=\"{}\" alt=\"{}\"><div><h3>{}</h3><p class=gt>ground truth: {}</p>"
                     "<h4>Ground-truth report</h4><p>{}</p><h4>Generated report</h4>",
                     html_escape(image_path(d, st)), html_escape(st.study_id), html_escape(st.study_id), html_escape(findings_summary(st)),
                     html_escape(d.cohort->reports[v.cohort_index].findings));
    if (v.generated_report.empty()) h += "<p class=note>(no interpretable feature fired: empty report)</p>";
    h += "<ol class=sentences>";
    for (const auto& s : v.provenance) {
      std::string feats;
      for (const auto& f : s.value("features", Json::array())) {
        if (!feats.empty()) feats += ", ";
        feats += fmt::format("#{} ({:.0f}%)", f.value("id", int64_t(-1)), 100 * f.value("importance", 0.0));
      }
      h += fmt::format("<li>{} <span class=feats>{}</span></li>", html_escape(s.value("sentence", "")), html_escape(feats));
    }
    h += "</ol></div></div>\n";
  }
  return h + "</section>\n";
}

std::string section_training(const DemoPageData& d) {
  const Json& s = d.metrics["sae"];
  std::string h = "<section id=training><h2>SAE training</h2>\n";
  h += fmt::format("<p>Held-out L0 {} · explained variance {} · dead fraction {} · dense fraction {}.</p>",
                   num(at_path(s, {"l0"}), 1), num(at_path(s, {"explained_variance"})), num(at_path(s, {"dead_fraction"})),
                   num(at_path(s, {"dense_fraction"})));
  h += "<div class=plots>";
  for (const auto& p : d.plots) h += fmt::format("<img src=\"{}\" alt=\"{}\">", html_escape(p), html_escape(p));
  return h + "</div></section>\n";
}

std::string section_timings(const DemoPageData& d) {
  std::string h = "<section id=timings><h2>Stage timings</h2><table class=compact><tr><th>stage</th><th>seconds</th></tr>";
  for (const auto& [name, v] : d.metrics["stage_seconds"].items())
    h += fmt::format("<tr><td>{}</td><td>{}</td></tr>", html_escape(name), num(v.get<double>(), 1));
  h += "</table><p class=note>All metrics in <a href=\"metrics.json\">metrics.json</a>.</p></section>\n";
  return h;
}

}  // namespace

void write_demo_page(const fs::path& out, const DemoPageData& d) {
  Thumbnails thumbs(out, d);
  std::string html = "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>SAE-Rad demo</title>\n<style>";
  html += kDemoPageCss;
  html += "</style></head><body>\n";
  html += section_header(d);
  html += "<main>\n";
  html += section_cohort(d);
  html += section_concepts(d);
  html += section_metrics(d);
  html += section_features(d, thumbs);
  html += section_studies(d);
  html += section_training(d);
  html += section_timings(d);
  html += "</main><footer>Generated by <code>saerad demo</code>. Synthetic data: the images are phantoms, not "
          "patients; the metrics measure the pipeline on data whose ground truth is known.</footer></body></html>\n";
  write_file_atomic(out / "index.html", html);
}

std::vector<std::string> page_links(const std::string& html) {
  static const std::regex link(R"re((?:href|src)="([^"]*)")re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), link); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1].str();
    if (!target.empty() && target[0] != '#') out.push_back(target);
  }
  return out;
}

}  // namespace saerad::demo
