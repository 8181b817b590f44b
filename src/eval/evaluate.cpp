#include "eval/evaluate.hpp"

#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "core/threads.hpp"
#include "eval/bootstrap.hpp"
#include "eval/chexpert_f1.hpp"
#include "eval/leakage.hpp"
#include "eval/meteor.hpp"
#include "eval/nlg.hpp"

namespace saerad::eval {
namespace {

constexpr size_t kListedIds = 10;  // ids listed in messages and JSON (all are counted)
constexpr UncertainPolicy kPolicies[] = {UncertainPolicy::AsNegative, UncertainPolicy::AsPositive};

bool wants(const EvalOptions& o, std::string_view metric) {
  return std::find(o.metrics.begin(), o.metrics.end(), metric) != o.metrics.end();
}

Json first_ids(const std::vector<std::string>& ids) {
  Json j = Json::array();
  for (size_t i = 0; i < ids.size() && i < kListedIds; ++i) j.push_back(ids[i]);
  return j;
}

// Everything the corpus metrics need, computed once; corpus_metrics() then scores any resample.
struct Prepared {
  bool bleu = false, rouge = false, cider = false, meteor = false, chexpert = false;
  NlgCorpus nlg;
  std::vector<MeteorStats> meteor_stats;
  std::array<std::vector<StudyOutcome>, 2> outcomes;  // per policy
};

using NamedValues = std::vector<std::pair<std::string, double>>;

NamedValues corpus_metrics(const Prepared& p, std::span<const uint32_t> multiplicity) {
  NamedValues out;
  if (p.bleu || p.rouge || p.cider) {
    const NlgScores s = nlg_scores(p.nlg, multiplicity);
    if (p.bleu)
      for (int k = 0; k < kMaxNgram; ++k) out.emplace_back("bleu_" + std::to_string(k + 1), s.bleu[k]);
    if (p.rouge) out.emplace_back("rouge_l", s.rouge_l);
    if (p.cider) out.emplace_back("cider_d", s.cider_d);
  }
  if (p.meteor) {
    MeteorStats total;
    for (size_t i = 0; i < p.meteor_stats.size(); ++i)
      for (uint32_t k = 0, w = multiplicity.empty() ? 1 : multiplicity[i]; k < w; ++k) total += p.meteor_stats[i];
    out.emplace_back("meteor_approx", meteor_score(total));
  }
  if (p.chexpert) {
    for (size_t k = 0; k < 2; ++k) {
      const ChexpertF1 f = chexpert_f1(p.outcomes[k], multiplicity);
      const std::string prefix = "chexpert." + std::string(policy_name(kPolicies[k])) + ".";
      out.emplace_back(prefix + "micro_f1_14", f.micro_f1_14);
      out.emplace_back(prefix + "macro_f1_14", f.macro_f1_14);
      out.emplace_back(prefix + "micro_f1_5", f.micro_f1_5);
      out.emplace_back(prefix + "macro_f1_5", f.macro_f1_5);
    }
  }
  return out;
}

Json::json_pointer pointer_of(const std::string& dotted) { return Json::json_pointer("/" + replace_all(dotted, ".", "/")); }

Json per_class_json(const ChexpertF1& f) {
  Json j = Json::object();
  for (size_t c = 0; c < kNumObservations; ++c) {
    const auto& s = f.per_class[c];
    j[std::string(kObservations[c])] = {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1},
                                        {"support", s.support}, {"tp", s.tp}, {"fp", s.fp}, {"fn", s.fn}};
  }
  return j;
}

std::vector<ChexpertLabels> labels_for(const std::optional<std::unordered_map<std::string, ChexpertLabels>>& given,
                                       const std::vector<const EvalReport*>& reports, const ChexpertLabeler& labeler,
                                       std::string_view side) {
  std::vector<ChexpertLabels> labels;
  if (!given) {
    std::vector<std::string> texts;
    for (const auto* r : reports) texts.push_back(r->report);
    return labeler.label_all(texts);
  }
  std::vector<std::string> missing;
  for (const auto* r : reports) {
    auto it = given->find(r->id);
    if (it == given->end()) {
      missing.push_back(r->id);
      labels.emplace_back();
    } else {
      labels.push_back(it->second);
    }
  }
  if (!missing.empty())
    fail_input("the {} labels lack {} evaluated studies (first: {})", side, missing.size(), missing.front());
  return labels;
}

}  // namespace

std::vector<std::string> parse_metric_list(std::string_view list) {
  std::vector<std::string> metrics;
  for (const auto& raw : split(list, ',')) {
    const std::string name(trim(raw));
    if (name.empty()) continue;
    if (name == "all") {
      for (auto m : kAllMetrics) metrics.emplace_back(m);
      continue;
    }
    if (std::find(std::begin(kAllMetrics), std::end(kAllMetrics), name) == std::end(kAllMetrics))
      fail_input("unknown metric '{}' (expected a comma-separated list of bleu, rouge_l, cider_d, meteor_approx, "
                 "chexpert, or all)",
                 name);
    if (std::find(metrics.begin(), metrics.end(), name) == metrics.end()) metrics.push_back(name);
  }
  if (metrics.empty()) fail_input("--metrics: no metric given");
  return metrics;
}

Json evaluate(const std::vector<Prediction>& predictions, const std::vector<Reference>& references,
              const EvalOptions& options) {
  const MatchedReports matched = match_reports(predictions, references);
  const size_t n = matched.prediction.size();
  if (!matched.missing.empty())
    log_warning(fmt::format("{} references have no prediction (first: {}); scoring the {} matched studies",
                            matched.missing.size(), matched.missing.front(), n));
  if (!matched.extra.empty())
    log_warning(fmt::format("{} predictions have no reference (first: {}); they are not scored", matched.extra.size(),
                            matched.extra.front()));
  if (n == 0) fail_input("no study id is in both the predictions and the references");

  std::vector<const EvalReport*> preds(n), refs(n);
  for (size_t i = 0; i < n; ++i) {
    preds[i] = &predictions[matched.prediction[i]];
    refs[i] = &references[matched.reference[i]];
  }

  Prepared p;
  p.bleu = wants(options, "bleu");
  p.rouge = wants(options, "rouge_l");
  p.cider = wants(options, "cider_d");
  p.meteor = wants(options, "meteor_approx");
  p.chexpert = wants(options, "chexpert");

  std::vector<std::string> hyp_text(n), ref_text(n);
  if (p.bleu || p.rouge || p.cider || p.meteor) {
#pragma omp parallel for schedule(dynamic, 64) num_threads(thread_count())
    for (size_t i = 0; i < n; ++i) {
      hyp_text[i] = normalize_report(preds[i]->report, options.tokenizer);
      ref_text[i] = normalize_report(refs[i]->report, options.tokenizer);
    }
  }
  if (p.bleu || p.rouge || p.cider) p.nlg = prepare_nlg(hyp_text, ref_text);
  if (p.meteor) p.meteor_stats = meteor_corpus_stats(hyp_text, ref_text);
  if (p.chexpert) {
    std::unique_ptr<ChexpertLabeler> own;
    const ChexpertLabeler* labeler = options.labeler;
    if (!labeler && (!options.prediction_labels || !options.reference_labels)) {
      own = std::make_unique<ChexpertLabeler>();
      labeler = own.get();
    }
    const auto pred_labels = labels_for(options.prediction_labels, preds, *labeler, "prediction");
    const auto ref_labels = labels_for(options.reference_labels, refs, *labeler, "reference");
    for (size_t k = 0; k < 2; ++k) {
      p.outcomes[k].resize(n);
      for (size_t i = 0; i < n; ++i) p.outcomes[k][i] = study_outcome(pred_labels[i], ref_labels[i], kPolicies[k]);
    }
  }

  Json out = Json::object();
  const NamedValues values = corpus_metrics(p, {});
  for (const auto& [name, value] : values) out[pointer_of(name)] = value;
  if (p.chexpert)
    for (size_t k = 0; k < 2; ++k)
      out["chexpert"][std::string(policy_name(kPolicies[k]))]["per_class"] = per_class_json(chexpert_f1(p.outcomes[k]));
  out["n"] = n;
  out["tokenizer"] = std::string(tokenizer_name(options.tokenizer));
  out["ids"] = {{"matched", n},
                {"missing_predictions", matched.missing.size()},
                {"extra_predictions", matched.extra.size()},
                {"missing_prediction_ids", first_ids(matched.missing)},
                {"extra_prediction_ids", first_ids(matched.extra)}};

  const Leakage leakage = find_leakage(preds);
  out["leakage"] = !leakage.leaked.empty();
  out["leakage_count"] = leakage.leaked.size();
  out["leakage_checked"] = leakage.checked;
  if (!leakage.leaked.empty()) out["leakage_ids"] = first_ids(leakage.leaked);

  if (options.radfact) {
    std::vector<std::string> pred_reports(n), ref_reports(n);
    for (size_t i = 0; i < n; ++i) {
      pred_reports[i] = preds[i]->report;
      ref_reports[i] = refs[i]->report;
    }
    out["radfact"] = options.radfact(pred_reports, ref_reports);
  }

  if (options.bootstrap > 0) {
    const auto ci = bootstrap_ci95(n, options.bootstrap, options.seed, [&](std::span<const uint32_t> multiplicity) {
      const NamedValues v = corpus_metrics(p, multiplicity);
      std::vector<double> flat(v.size());
      for (size_t k = 0; k < v.size(); ++k) flat[k] = v[k].second;
      return flat;
    });
    Json intervals = Json::object();
    for (size_t k = 0; k < values.size(); ++k) intervals[values[k].first] = {ci[k][0], ci[k][1]};
    out["ci95"] = intervals;
    out["bootstrap"] = {{"resamples", options.bootstrap}, {"seed", options.seed}, {"method", "percentile"}};
  }

  if (options.per_study) {
    Json rows = Json::array();
    for (size_t i = 0; i < n; ++i) {
      Json row = {{"id", preds[i]->id}};
      if (p.bleu) row["bleu_4"] = bleu_scores(p.nlg.bleu[i])[3];
      if (p.rouge) row["rouge_l"] = p.nlg.rouge_l[i];
      if (p.meteor) row["meteor_approx"] = meteor_score(p.meteor_stats[i]);
      rows.push_back(std::move(row));
    }
    if (p.cider) {
      const auto cider = nlg_scores(p.nlg).cider_d_per_study;
      for (size_t i = 0; i < n; ++i) rows[i]["cider_d"] = cider[i];
    }
    out["per_study"] = std::move(rows);
  }
  return out;
}

}  // namespace saerad::eval
