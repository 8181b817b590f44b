#include "interp/interpret.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/manifest.hpp"
#include "interp/description_score.hpp"
#include "interp/label_enrichment.hpp"
#include "interp/study_activations.hpp"
#include "interp/top_activations.hpp"
#include "sae/sae_model.hpp"

namespace saerad {
namespace {

// The studies of one side (split or held-out): each with its embedding rows and report.
struct StudySet : StudyRows {
  std::vector<std::string> reports;
};

}  // namespace

Json InterpretSummary::to_json() const {
  return Json{{"d_sae", d_sae},
              {"studies", studies},
              {"heldout_studies", heldout_studies},
              {"missing_studies", missing_studies},
              {"alive_features", alive},
              {"selected", selected},
              {"skipped_already_described", skipped_done},
              {"described", described},
              {"interpretable", interpretable},
              {"failed", failed},
              {"statistics_computed", statistics_computed},
              {"description_scores", scores.to_json()},
              {"seconds", seconds}};
}

std::vector<int64_t> select_features(const std::string& spec, const FeatureStore& store, int64_t d_sae) {
  std::vector<int64_t> ids;
  if (spec == "all") {
    ids.resize(size_t(d_sae));
    for (int64_t i = 0; i < d_sae; ++i) ids[size_t(i)] = i;
  } else if (spec.rfind("top-density:", 0) == 0) {
    int64_t n = 0;
    try {
      n = std::stoll(spec.substr(12));
    } catch (...) {
      fail_input("--features {}: expected top-density:N with a positive N", spec);
    }
    if (n <= 0) fail_input("--features {}: expected top-density:N with a positive N", spec);
    FeatureQuery q;
    q.sort = FeatureSortKey::Density;
    q.descending = true;
    q.limit = n;
    for (const auto& f : store.query(q).features) ids.push_back(f.id);
  } else if (spec.rfind("ids:", 0) == 0) {
    const std::filesystem::path file = spec.substr(4);
    for (const auto& line : read_id_lines(file)) {
      int64_t id = -1;
      try {
        size_t used = 0;
        id = std::stoll(line, &used);
        if (used != line.size()) id = -1;
      } catch (...) {
      }
      if (id < 0 || id >= d_sae) fail_input("{}: '{}' is not a feature id in [0, {})", file, line, d_sae);
      ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  } else {
    fail_input("--features {}: expected all, top-density:N or ids:FILE", spec);
  }
  return ids;
}

InterpretSummary run_interpret(const InterpretOptions& options, const DescriberFactory& make_describer,
                               const JudgeFactory& make_judge) {
  const auto start = std::chrono::steady_clock::now();
  InterpretSummary summary;
  if (options.top_k <= 0) fail_input("--top-k must be positive (got {})", options.top_k);
  if (options.section != "findings" && options.section != "impression" && options.section != "both")
    fail_input("--section {}: expected findings, impression or both", options.section);

  const SaeModel sae = SaeModel::load(options.sae_dir);
  summary.d_sae = sae.d_sae();
  FeatureStore store(options.out, FeatureStore::Mode::ReadWrite);
  const auto previous_sae = store.meta("sae_fingerprint");
  store.check_sae(sae.fingerprint(), options.force);
  if (previous_sae && *previous_sae != sae.fingerprint()) {
    log_warning(fmt::format("{}: built from another SAE; --force: its features are rebuilt", options.out));
    store.reset_features();
  }

  const Embeddings emb = read_embeddings(options.embeddings, options.ids_file);
  if (emb.dim() != sae.d_in())
    fail_input("{}: embeddings have d = {} but the SAE in {} takes d_in = {}", options.embeddings, emb.dim(),
               options.sae_dir, sae.d_in());
  if (!emb.model.empty() && !sae.embeddings_model().empty() && emb.model != sae.embeddings_model())
    log_warning(fmt::format("{}: embeddings from model {} but the SAE was trained on {}", options.embeddings,
                            emb.model, sae.embeddings_model()));

  const Manifest manifest = read_manifest(options.studies);
  const auto index = manifest.study_index();
  StudySet train, heldout;
  std::unordered_map<std::string, size_t> train_pos, heldout_pos;
  std::unordered_set<std::string> missing;
  for (int64_t r = 0; r < emb.size(); ++r) {
    const std::string& study = row_study_id(emb, r);
    auto it = index.find(study);
    if (it == index.end()) {
      missing.insert(study);
      continue;
    }
    const StudyRow& row = manifest.rows[it->second];
    const bool in_split = options.split == "all" || row.split == options.split;
    StudySet& set = in_split ? train : heldout;
    auto& pos = in_split ? train_pos : heldout_pos;
    const size_t before = set.ids.size();
    set.add(study, r, pos);
    if (set.ids.size() > before) set.reports.push_back(report_section(row, options.section));
  }
  summary.missing_studies = int64_t(missing.size());
  if (!missing.empty())
    log_warning(fmt::format("{}: {} studies of {} are not in {} (skipped), e.g. {}", options.embeddings,
                            missing.size(), options.embeddings, options.studies, *missing.begin()));
  if (train.ids.empty())
    fail_input("{}: no embedded study is in split '{}' of {} (use --split)", options.embeddings, options.split,
               options.studies);
  summary.studies = int64_t(train.ids.size());

  const ChexpertLabeler labeler;
  const std::vector<ChexpertLabels> train_labels = labeler.label_all(train.reports);
  const LabelTable label_table = make_label_table(train_labels);

  // 1. Statistics, unless this store already holds them for the same inputs and settings.
  const std::string settings =
      Json{{"top_k", options.top_k}, {"split", options.split}, {"section", options.section},
           {"embeddings", fingerprint_file(options.embeddings)}, {"studies", fingerprint_file(options.studies)}}
          .dump();
  const bool have_stats = store.meta("stats_complete") == std::optional<std::string>("1") &&
                          store.meta("stats_settings") == std::optional<std::string>(settings);
  if (!have_stats) {
    if (store.meta("stats_complete") && !store.described_ids().empty()) {
      log_warning(fmt::format("{}: statistics rebuilt for new inputs or settings; descriptions cleared", options.out));
      store.clear_descriptions();
    }
    TopActivations acc(sae.d_sae(), {.k = options.top_k});
    encode_studies(sae, emb, train, options.batch_rows, "top activations",
                   [&](size_t s, std::span<const int32_t> idx, std::span<const float> val) {
                     acc.add_study(int64_t(s), idx, val);
                   });
    std::vector<FeatureStats> stats;
    std::vector<FeatureExample> examples;
    std::vector<std::pair<int64_t, FeatureHistogram>> histograms;
    std::vector<std::pair<int64_t, std::vector<LabelEnrichment>>> enrichment;
    for (int64_t f = 0; f < sae.d_sae(); ++f) {
      stats.push_back(acc.stats(f));
      const auto top = acc.top(f);
      if (top.empty()) continue;
      std::vector<int64_t> studies;
      for (size_t rank = 0; rank < top.size(); ++rank) {
        examples.push_back({f, int(rank), train.ids[size_t(top[rank].study)], top[rank].activation});
        studies.push_back(top[rank].study);
      }
      histograms.emplace_back(f, acc.histogram(f));
      enrichment.emplace_back(f, label_enrichment(label_table, studies));
    }
    store.write_statistics(stats, examples, histograms);
    store.write_enrichment_all(enrichment);
    store.set_meta("embeddings_model", emb.model);
    store.set_meta("studies_fingerprint", fingerprint_file(options.studies));
    store.set_meta("embeddings_fingerprint", fingerprint_file(options.embeddings));
    store.set_meta("d_sae", std::to_string(sae.d_sae()));
    store.set_meta("top_k", std::to_string(options.top_k));
    store.set_meta("split", options.split);
    store.set_meta("section", options.section);
    store.set_meta("label_base_rates", label_table.base_rates_json().dump());
    store.set_meta("histogram", Json{{"bins", kHistogramBins}, {"log10_min", acc.options().hist_log10_min},
                                     {"log10_max", acc.options().hist_log10_max}}.dump());
    store.set_meta("provenance", Provenance{options.seed, Json{{"sae", sae.fingerprint()},
                                                               {"embeddings", fingerprint_file(options.embeddings)},
                                                               {"studies", fingerprint_file(options.studies)}}}
                                     .dump());
    store.set_meta("stats_settings", settings);
    store.set_meta("stats_complete", "1");
    summary.statistics_computed = true;
  }

  // 2. Descriptions of the chosen, alive, not yet described features.
  if (options.redescribe) store.clear_descriptions();
  const std::vector<int64_t> chosen = select_features(options.features, store, sae.d_sae());
  const auto done_list = store.described_ids();
  const std::unordered_set<int64_t> done(done_list.begin(), done_list.end());
  std::vector<int64_t> todo;
  for (int64_t id : chosen) {
    auto record = store.feature(id);
    if (!record || record->density <= 0) continue;
    ++summary.selected;
    if (done.count(id)) {
      ++summary.skipped_done;
      continue;
    }
    todo.push_back(id);
  }
  {
    auto st = store.db().prepare("SELECT count(*) FROM features WHERE density > 0");
    st.step();
    summary.alive = st.int64(0);
  }
  std::unordered_map<std::string, size_t> report_of;
  for (size_t s = 0; s < train.ids.size(); ++s) report_of.emplace(train.ids[s], s);
  const InterpretCorpus corpus{labeler, train.reports, train_labels};
  if (!todo.empty()) {
    auto describer = make_describer(corpus);
    Progress progress("describe", int64_t(todo.size()), "features");
    for (size_t begin = 0; begin < todo.size(); begin += size_t(options.describe_chunk)) {
      const size_t end = std::min(todo.size(), begin + size_t(options.describe_chunk));
      std::vector<DescriberInput> inputs;
      for (size_t i = begin; i < end; ++i) {
        DescriberInput in;
        in.feature_id = todo[i];
        auto record = store.feature(todo[i]);
        in.density = record->density;
        in.enrichment = enrichment_from_json(record->enrichment);
        for (const auto& e : store.examples(todo[i])) {
          auto it = report_of.find(e.study_id);
          in.examples.push_back({e.study_id, e.activation, it == report_of.end() ? "" : train.reports[it->second]});
        }
        inputs.push_back(std::move(in));
      }
      describer->describe_all(inputs, [&](size_t i, DescribeOutcome outcome) {
        const int64_t id = inputs[i].feature_id;
        if (options.dry_run) {
          // Nothing was sent: nothing to store.
        } else if (outcome.description) {
          store.write_description(id, outcome.description->to_stored());
          ++summary.described;
          summary.interpretable += outcome.description->interpretable;
        } else {
          store.record_failure(id, describer->name(), outcome.error);
          ++summary.failed;
        }
        progress.advance();
      });
    }
    progress.finish();
  }

  // 3. Scores on held-out studies for interpretable features that have none.
  if (options.score && !options.dry_run && !heldout.ids.empty()) {
    std::vector<int64_t> unscored;
    {
      auto st = store.db().prepare(
          "SELECT id FROM features WHERE interpretable = 1 AND description_score IS NULL AND score_json IS NULL "
          "ORDER BY id");
      while (st.step()) unscored.push_back(st.int64(0));
    }
    if (!unscored.empty()) {
      // A seeded sample of the held-out studies.
      std::vector<size_t> order(heldout.ids.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      Rng rng(options.seed);
      rng.shuffle(order);
      if (options.score_max_studies > 0 && order.size() > size_t(options.score_max_studies))
        order.resize(size_t(options.score_max_studies));
      std::sort(order.begin(), order.end());
      StudySet sample;
      for (size_t i : order) {
        sample.ids.push_back(heldout.ids[i]);
        sample.rows.push_back(heldout.rows[i]);
        sample.reports.push_back(heldout.reports[i]);
      }
      summary.heldout_studies = int64_t(sample.ids.size());
      // Per-feature columns over the sample (only features still to score).
      const std::unordered_set<int64_t> wanted(unscored.begin(), unscored.end());
      std::unordered_map<int64_t, std::vector<std::pair<size_t, float>>> columns;
      encode_studies(sae, emb, sample, options.batch_rows, "held-out activations",
                     [&](size_t s, std::span<const int32_t> idx, std::span<const float> val) {
                       for (size_t j = 0; j < idx.size(); ++j)
                         if (wanted.count(idx[j])) columns[idx[j]].emplace_back(s, val[j]);
                     });
      auto judge = make_judge(corpus);
      Progress progress("score descriptions", int64_t(unscored.size()), "features");
      std::vector<float> activations(sample.ids.size());
      for (int64_t id : unscored) {
        auto record = store.feature(id);
        Description d;
        d.interpretable = true;
        d.description = record->description;
        std::fill(activations.begin(), activations.end(), 0.0f);
        for (const auto& [s, v] : columns[id]) activations[s] = v;
        const auto score = score_description(d, *judge, sample.reports, activations);
        store.write_description_score(id, score.auroc, score.to_json());
        progress.advance();
      }
      progress.finish();
    }
  }
  summary.scores = store.score_summary();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace saerad
