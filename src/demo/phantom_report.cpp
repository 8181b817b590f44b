#include "demo/phantom_report.hpp"

#include <initializer_list>
#include <utility>
#include <vector>

namespace saerad::demo {

namespace {

// One sentence with the labels it asserts (observation name → 1 positive / 0 negative).
struct Sentence {
  std::string text;
  std::vector<std::pair<std::string_view, int>> labels;
};

class ReportBuilder {
 public:
  explicit ReportBuilder(Rng& rng) : rng_(rng) {}
  const std::string& pick(std::initializer_list<std::string> options) {
    picked_ = std::vector<std::string>(options)[rng_.below(options.size())];
    return picked_;
  }
  void add(std::string text, std::vector<std::pair<std::string_view, int>> labels) {
    text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
    sentences_.push_back({std::move(text), std::move(labels)});
  }
  PhantomReport finish() const {
    PhantomReport r;
    bool pathology = false;
    for (const auto& s : sentences_) {
      if (!r.findings.empty()) r.findings += ' ';
      r.findings += s.text;
      for (const auto& [name, value] : s.labels) {
        auto& slot = r.labels[*observation_index(name)];
        slot = slot ? std::max(*slot, value) : value;  // a positive mention outranks a negative one
        if (value == 1 && name != "Support Devices") pathology = true;
      }
    }
    if (!pathology) r.labels[*observation_index("No Finding")] = 1;
    return r;
  }
  Rng& rng() { return rng_; }

 private:
  Rng& rng_;
  std::string picked_;
  std::vector<Sentence> sentences_;
};

std::string side_word(Side side) {
  return side == Side::kRight ? "right" : side == Side::kLeft ? "left" : "bilateral";
}

std::string lobe(Side side, Zone zone) {
  if (side == Side::kLeft) return std::array{"left upper lobe", "lingula", "left lower lobe"}[int(zone)];
  if (side == Side::kRight) return std::array{"right upper lobe", "right middle lobe", "right lower lobe"}[int(zone)];
  return std::array{"both upper lobes", "both mid lungs", "both lower lobes"}[int(zone)];
}

std::string lung_zone(Side side, Zone zone) {
  const std::string z = std::array{"upper", "mid", "lower"}[int(zone)];
  if (side == Side::kBilateral) return "both " + z + " lungs";
  return "the " + side_word(side) + " " + z + " lung";
}

std::string base_of(Side side) {
  return side == Side::kBilateral ? "at both lung bases" : "at the " + side_word(side) + " lung base";
}

void describe_devices(const PhantomStudy& st, ReportBuilder& b) {
  const std::vector<std::pair<std::string_view, int>> device = {{"Support Devices", 1}};
  if (st.has(Finding::kEndotrachealTube)) {
    const int cm = 3 + int(st.finding(Finding::kEndotrachealTube).y * 3);
    b.add(b.pick({"endotracheal tube terminates " + std::to_string(cm) + " cm above the carina.",
                  "the endotracheal tube tip is " + std::to_string(cm) + " cm above the carina.",
                  "endotracheal tube in standard position."}),
          device);
  }
  if (st.has(Finding::kNasogastricTube))
    b.add(b.pick({"nasogastric tube courses below the diaphragm with the tip in the stomach.",
                  "an enteric tube extends into the stomach.", "the nasogastric tube tip is in the stomach."}),
          device);
  if (st.has(Finding::kCentralLine)) {
    const int v = st.finding(Finding::kCentralLine).variant;
    const std::string access = std::array{"right internal jugular", "left subclavian", "right-sided PICC"}[v];
    if (v == 2)
      b.add(b.pick({"right-sided PICC with tip in the lower SVC.", "a right arm PICC terminates in the SVC.",
                    "right PICC line tip projects over the SVC."}),
            device);
    else
      b.add(b.pick({access + " central venous catheter with tip in the SVC.",
                    access + " catheter terminates in the lower SVC.",
                    "a " + access + " central line ends in the SVC."}),
            device);
  }
  if (st.has(Finding::kPacemaker)) {
    const auto& pm = st.finding(Finding::kPacemaker);
    const std::string side = side_word(pm.side);
    const std::string leads = pm.variant == 1 ? "leads in the right atrium and right ventricle" : "a lead in the right ventricle";
    b.add(b.pick({side + " chest wall pacemaker with " + leads + ".",
                  "a " + side + "-sided pacemaker is present with " + leads + ".",
                  (pm.variant == 1 ? "dual-chamber" : "single-chamber") + std::string(" pacemaker in the ") + side +
                      " chest wall."}),
          device);
  }
}

void describe_heart(const PhantomStudy& st, ReportBuilder& b) {
  if (st.has(Finding::kCardiomegaly)) {
    const int sev = int(st.finding(Finding::kCardiomegaly).severity);
    const std::string adverb = std::array{"mildly", "moderately", "markedly"}[sev];
    const std::string adj = std::array{"mild", "moderate", "marked"}[sev];
    b.add(b.pick({"the heart is " + adverb + " enlarged.", adj + " cardiomegaly.",
                  "the cardiac silhouette is " + adverb + " enlarged.", "there is " + adj + " cardiomegaly."}),
          {{"Cardiomegaly", 1}});
  } else if (b.rng().bernoulli(0.85)) {
    b.add(b.pick({"heart size is normal.", "the heart is normal in size.", "no cardiomegaly.",
                  "the cardiac silhouette is within normal limits."}),
          {{"Cardiomegaly", 0}});
  }
  if (b.rng().bernoulli(0.5))
    b.add(b.pick({"the mediastinal contours are normal.", "mediastinal contours are unremarkable.",
                  "the cardiomediastinal silhouette is within normal limits."}),
          {{"Enlarged Cardiomediastinum", 0}});
}

void describe_lungs(const PhantomStudy& st, ReportBuilder& b) {
  bool lung_finding = false;
  if (st.has(Finding::kEdema)) {
    lung_finding = true;
    const std::string sev = std::array{"mild", "moderate", "severe"}[int(st.finding(Finding::kEdema).severity)];
    b.add(b.pick({sev + " pulmonary edema.", "there is " + sev + " interstitial edema.",
                  sev + " pulmonary vascular congestion with interstitial edema.",
                  "perihilar haziness consistent with " + sev + " pulmonary edema."}),
          {{"Edema", 1}});
  }
  if (st.has(Finding::kConsolidation)) {
    lung_finding = true;
    const auto& c = st.finding(Finding::kConsolidation);
    const std::string where = lobe(c.side, c.zone);
    const std::string extent = std::array{"patchy", "focal", "dense"}[int(c.severity)];
    if (b.rng().bernoulli(0.3))
      b.add(b.pick({extent + " consolidative opacity in the " + where + ".",
                    "airspace opacity with consolidation in the " + where + "."}),
            {{"Consolidation", 1}, {"Lung Opacity", 1}});
    else
      b.add(b.pick({extent + " consolidation in the " + where + ".", "there is " + extent + " " + where + " consolidation.",
                    "airspace consolidation in the " + where + "."}),
            {{"Consolidation", 1}});
  }
  if (st.has(Finding::kNodule)) {
    lung_finding = true;
    const auto& n = st.finding(Finding::kNodule);
    const std::string where = lung_zone(n.side, n.zone);
    if (n.severity == Severity::kSevere)
      b.add(b.pick({"a 4 cm mass in " + where + ".", "there is a large mass in " + where + "."}), {{"Lung Lesion", 1}});
    else {
      const std::string size = n.severity == Severity::kMild ? "1 cm" : "2 cm";
      b.add(b.pick({"a " + size + " nodule in " + where + ".", "there is a " + size + " pulmonary nodule in " + where + ".",
                    "well-circumscribed " + size + " nodule projecting over " + where + "."}),
            {{"Lung Lesion", 1}});
    }
  }
  if (st.has(Finding::kAtelectasis)) {
    lung_finding = true;
    const auto& a = st.finding(Finding::kAtelectasis);
    const std::string where = a.zone == Zone::kLower ? base_of(a.side) : "in " + lung_zone(a.side, a.zone);
    const std::string kind = std::array{"subsegmental", "discoid", "linear"}[int(a.severity)];  // not "plate-like": "plate" is a device word
    b.add(b.pick({kind + " atelectasis " + where + ".", "there is " + kind + " atelectasis " + where + ".",
                  "band of " + kind + " atelectasis " + where + "."}),
          {{"Atelectasis", 1}});
  }
  if (!st.has(Finding::kConsolidation) && b.rng().bernoulli(0.7)) {
    if (!lung_finding && b.rng().bernoulli(0.5))
      b.add(b.pick({"the lungs are clear without focal consolidation.", "lungs are clear with no consolidation."}),
            {{"Consolidation", 0}});
    else
      b.add(b.pick({"no focal consolidation.", "there is no consolidation."}), {{"Consolidation", 0}});
  } else if (!lung_finding && !st.has(Finding::kConsolidation)) {
    b.add(b.pick({"the lungs are clear.", "lungs are well expanded and clear."}), {});
  }
  if (!st.has(Finding::kEdema) && b.rng().bernoulli(0.35))
    b.add(b.pick({"no pulmonary edema.", "there is no pulmonary edema."}), {{"Edema", 0}});
}

void describe_pleura(const PhantomStudy& st, ReportBuilder& b) {
  const bool effusion = st.has(Finding::kPleuralEffusion), ptx = st.has(Finding::kPneumothorax);
  if (effusion) {
    const auto& e = st.finding(Finding::kPleuralEffusion);
    const std::string size = std::array{"small", "moderate", "large"}[int(e.severity)];
    const std::string plural = e.side == Side::kBilateral ? "effusions" : "effusion";
    b.add(b.pick({size + " " + side_word(e.side) + " pleural " + plural + ".",
                  (e.side == Side::kBilateral ? "there are " : "there is a ") + size + " " + side_word(e.side) +
                      " pleural " + plural + ".",
                  size + " " + side_word(e.side) + " " + plural + " with a meniscus."}),
          {{"Pleural Effusion", 1}});
  }
  if (ptx) {
    const auto& p = st.finding(Finding::kPneumothorax);
    const std::string size = std::array{"small", "moderate", "large"}[int(p.severity)];
    b.add(b.pick({size + " " + side_word(p.side) + " pneumothorax.",
                  "there is a " + size + " " + side_word(p.side) + " apical pneumothorax.",
                  size + " " + side_word(p.side) + " pneumothorax with a visible pleural edge."}),
          {{"Pneumothorax", 1}});
  }
  const bool neg_effusion = !effusion && b.rng().bernoulli(0.8), neg_ptx = !ptx && b.rng().bernoulli(0.8);
  if (neg_effusion && neg_ptx)
    b.add(b.pick({"no pleural effusion or pneumothorax.", "there is no pleural effusion or pneumothorax.",
                  "no effusion or pneumothorax is seen."}),
          {{"Pleural Effusion", 0}, {"Pneumothorax", 0}});
  else if (neg_effusion)
    b.add(b.pick({"no pleural effusion.", "there is no pleural effusion."}), {{"Pleural Effusion", 0}});
  else if (neg_ptx)
    b.add(b.pick({"no pneumothorax.", "there is no pneumothorax."}), {{"Pneumothorax", 0}});
}

void describe_bones(const PhantomStudy& st, ReportBuilder& b) {
  if (st.has(Finding::kRibFracture)) {
    const auto& f = st.finding(Finding::kRibFracture);
    const std::string rib = std::to_string(f.variant + 1) + "th";
    const std::string side = side_word(f.side);
    b.add(b.pick({"acute fracture of the " + side + " " + rib + " posterior rib.",
                  "there is a displaced fracture of the " + side + " " + rib + " rib.",
                  side + " " + rib + " posterior rib fracture."}),
          {{"Fracture", 1}});
  } else if (b.rng().bernoulli(0.3)) {
    b.add(b.pick({"no displaced rib fracture.", "no acute rib fracture."}), {{"Fracture", 0}});
  }
}

}  // namespace

PhantomReport write_report(const PhantomStudy& study) {
  Rng rng = Rng(study.anatomy.texture_seed).split(7);
  ReportBuilder b(rng);
  describe_devices(study, b);
  describe_heart(study, b);
  describe_lungs(study, b);
  describe_pleura(study, b);
  describe_bones(study, b);
  PhantomReport report = b.finish();
  report.impression = study.has_pathology() ? "" : "No acute cardiopulmonary process.";
  return report;
}

}  // namespace saerad::demo
