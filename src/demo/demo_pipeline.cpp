#include "demo/demo_pipeline.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/rng.hpp"
#include "core/sparse_activations.hpp"
#include "core/threads.hpp"
#include "demo/concept_recovery.hpp"
#include "demo/demo_page.hpp"
#include "demo/demo_standardisation.hpp"
#include "demo/phantom_cohort_writer.hpp"
#include "eval/evaluate.hpp"
#include "interp/describer_extractive.hpp"
#include "interp/describer_llm.hpp"
#include "interp/description_score.hpp"
#include "interp/feature_store.hpp"
#include "interp/interpret.hpp"
#include "llm/client.hpp"
#include "report/composer_extractive.hpp"
#include "report/composer_llm.hpp"
#include "report/report_generator.hpp"
#include "sae/sae_encode.hpp"
#include "sae/sae_model.hpp"
#include "sae/trainer.hpp"
#include "text/chexpert.hpp"
#include "vision/embed_inputs.hpp"
#include "vision/embed_job.hpp"
#include "vision/encoder.hpp"

namespace saerad::demo {

namespace fs = std::filesystem;

namespace {

// Wall time of each stage, printed as it finishes and recorded in metrics.json.
class StageClock {
 public:
  template <class F>
  auto run(const std::string& name, F&& body) {
    log_info("demo: " + name + " …");
    const auto start = std::chrono::steady_clock::now();
    struct Record {
      StageClock* clock;
      std::string name;
      std::chrono::steady_clock::time_point start;
      ~Record() {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        clock->seconds_[name] = s;
        log_info("demo: " + name + " done in " + format_duration(s));
      }
    } record{this, name, start};
    return body();
  }
  Json to_json() const {
    Json j = Json::object();
    double total = 0;
    for (const auto& [name, s] : seconds_) {
      j[name] = s;
      total += s;
    }
    j["total"] = total;
    return j;
  }

 private:
  std::map<std::string, double> seconds_;
};

// The rows of `all` whose split is `split`, in order.
std::vector<int64_t> rows_of_split(const PhantomCohort& cohort, const std::map<std::string, int64_t>& row_of_study,
                                   const std::string& split) {
  std::vector<int64_t> rows;
  for (size_t i = 0; i < cohort.studies.size(); ++i)
    if (cohort.splits[i] == split) {
      auto it = row_of_study.find(cohort.studies[i].study_id);
      if (it != row_of_study.end()) rows.push_back(it->second);
    }
  return rows;
}

std::vector<int64_t> all_rows(const Embeddings& e) {
  std::vector<int64_t> rows(size_t(e.size()));
  for (int64_t r = 0; r < e.size(); ++r) rows[size_t(r)] = r;
  return rows;
}

Embeddings subset(const Embeddings& all, const std::vector<int64_t>& rows) {
  Embeddings e;
  e.vectors = MatrixF32(int64_t(rows.size()), all.dim());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(all.vectors.row(rows[i]), all.dim(), e.vectors.row(int64_t(i)));
    e.ids.push_back(all.ids[size_t(rows[i])]);
    e.study_ids.push_back(all.study_ids[size_t(rows[i])]);
  }
  e.model = all.model;
  e.preprocess = all.preprocess;
  e.metadata = all.metadata;
  e.source = all.source;
  return e;
}

TrainOptions demo_train_options(const DemoOptions& o, const fs::path& dir, int64_t n_train) {
  TrainOptions t;
  t.out_dir = dir;
  t.architecture = "gated-hybrid";
  t.expansion = o.expansion;
  // λ 0.1, lr 2e-3, measured at n = 400 (docs/demo.md). Mean concept-recovery AUROC / micro-F1-14 gain over
  // random reports, seeds 1 / 2 / 3 where run: lr 4e-4, λ 0.3 → 0.77 / 0.73 / 0.77 and 0.19 / 0.31 / 0.24
  // (in 200 steps the features barely leave their random initialisation: L0 ≈ 1600 of 5416); lr 2e-3,
  // λ 1 → 0.66 on seed 2 (sparser features split each finding over many narrow ones); λ 0.3 → 0.75 / 0.73 and
  // 0.30 / 0.36; λ 0.1 → 0.77 / 0.73 and 0.27 / 0.32. 400 steps changed nothing on seed 2 at twice the time.
  t.l1 = o.l1 > 0 ? o.l1 : 0.1;
  t.lr = o.lr > 0 ? o.lr : 2e-3;
  t.b_dec_init = "mean";
  t.batch = std::min<int64_t>(256, n_train);
  // Short schedule: the demo must finish in minutes on 2 cores (each step is 128 × d × d_sae × 6 flops).
  t.steps = o.steps > 0 ? o.steps : 200;
  t.holdout = 0.05;
  t.seed = o.seed;
  t.checkpoint_every = 0;
  t.overwrite = true;
  return t;
}

// Report composition (stage 6): the strongest few interpretable features per study (all of them dilute the
// report), each carrying enough of the study (min_importance_for).
constexpr int kReportMaxFeatures = 3;
constexpr double kMinImportanceRatio = 3.25;
constexpr const char* kNormalStudyReport = "No acute cardiopulmonary abnormality.";

// kMinImportanceRatio / (mean number of active features per training study). Chosen at n = 400, seeds 1–3,
// on an SAE trained with λ 0.3, lr 4e-4: ratio 0 (no threshold) gives a micro-F1-14 gain over random reports
// of 0.12 / 0.26 / 0.12, ratio 3 gives 0.15 / 0.33 / 0.21, 3.25 gives 0.17 / 0.29 / 0.25, 3.75 gives
// 0.15 / 0.21 / 0.19, 4.5 gives 0.01 / 0.10 / 0.06. (Choosing it on the training split's own reports picks
// about 4: those studies are their features' top examples, so their reports look better than they are.)
double min_importance_for(const Json& sae_metrics) {
  const double l0 = sae_metrics.value("train_l0", 0.0);
  return l0 > 1 ? kMinImportanceRatio / l0 : 0.0;
}

std::unique_ptr<llm::LlmClient> make_llm_client(const DemoOptions& o, const fs::path& cache) {
  if (o.llm_url.empty()) return nullptr;
  llm::LlmConfig config;
  config.url = o.llm_url;
  config.model = o.llm_model;
  config.cache_path = cache;
  return std::make_unique<llm::LlmClient>(config);
}

// Removes what an earlier demo run left under `out` (only the names the demo writes).
void clear_previous_run(const fs::path& out) {
  for (const char* name : {"cohort", "sae", "thumbs", "embeddings.safetensors", "features.db", "features.db-wal",
                           "features.db-shm", "predictions.jsonl", "references.jsonl", "baseline_predictions.jsonl",
                           "index.html", "metrics.json"})
    fs::remove_all(out / name);
}

std::vector<eval::Prediction> read_back(const std::vector<GeneratedReport>& reports) {
  std::vector<eval::Prediction> out;
  for (const auto& r : reports) out.push_back({r.study_id, r.report, r.provenance});
  return out;
}

void write_jsonl(const fs::path& path, const std::vector<Json>& lines) {
  std::string text;
  for (const auto& l : lines) text += l.dump() + "\n";
  write_file_atomic(path, text);
}

double micro_f1_14(const Json& scores) {
  const Json* j = &scores;
  for (const char* key : {"chexpert", "uncertain_as_negative", "micro_f1_14"}) {
    if (!j->contains(key)) return NAN;
    j = &(*j)[key];
  }
  return j->is_number() ? j->get<double>() : NAN;
}

}  // namespace

Json run_demo(const DemoOptions& o) {
  if (o.n < 40) fail_input("demo: --n must be at least 40 (got {})", o.n);
  if (o.expansion < 1) fail_input("demo: --expansion must be at least 1 (got {})", o.expansion);
  fs::create_directories(o.out);
  clear_previous_run(o.out);
  StageClock clock;
  const ChexpertLabeler labeler;

  // 1. The synthetic cohort.
  const PhantomCohort cohort = clock.run("phantoms", [&] {
    PhantomOptions p;
    p.n = o.n;
    p.image_size = o.image_size;
    p.seed = o.seed;
    p.test_fraction = o.test_fraction;
    p.out = o.out / "cohort";
    return write_phantom_cohort(p);
  });

  // 2. Embeddings of every study (builtin encoder unless --model).
  const fs::path embeddings_path = o.out / "embeddings.safetensors";
  std::unique_ptr<ImageEncoder> encoder = o.model_dir.empty() ? make_builtin_encoder() : make_dinov2_encoder(o.model_dir);
  const Embeddings all = clock.run("embed", [&] {
    EmbedOptions e;
    e.inputs = list_manifest_inputs(cohort.manifest, PerStudy::kFirstFrontal);
    e.out = embeddings_path;
    e.batch = o.model_dir.empty() ? 64 : 8;
    e.inputs_provenance = {{"manifest", "cohort/studies.csv"}};
    const EmbedSummary summary = run_embed(*encoder, e);
    if (summary.failed) log_warning("demo: " + std::to_string(summary.failed) + " images failed to embed");
    return read_embeddings(embeddings_path);
  });
  std::map<std::string, int64_t> row_of_study;
  for (int64_t r = 0; r < all.size(); ++r) row_of_study.emplace(all.study_ids[size_t(r)], r);
  const std::vector<int64_t> train_rows = rows_of_split(cohort, row_of_study, "train");
  const std::vector<int64_t> test_rows = rows_of_split(cohort, row_of_study, "test");
  if (train_rows.size() < 20 || test_rows.size() < 10)
    fail_input("demo: too few studies in a split ({} train, {} test): raise --n", train_rows.size(), test_rows.size());

  // 3. The SAE, trained on the training split only, on inputs standardised per dimension with the training
  // split's mean and standard deviation (demo_standardisation.hpp); the standardisation is then folded into
  // the saved weights, so the SAE takes raw encoder output like any other (serve, report --image).
  const fs::path sae_dir = o.out / "sae";
  const TrainOptions train_options = demo_train_options(o, sae_dir, int64_t(train_rows.size()));
  log_info("demo: SAE gated-hybrid, expansion ×" + std::to_string(o.expansion) + " (" +
           std::to_string(all.dim() * o.expansion) + " latents on d = " + std::to_string(all.dim()) + "), " +
           std::to_string(train_options.steps) + " steps");
  const TrainResult trained = clock.run("train", [&] {
    Embeddings train = subset(all, train_rows);
    const Standardisation standardisation = fit_standardisation(train, all_rows(train));
    apply_standardisation(train, standardisation);
    TrainResult result = train_sae(train, train_options);
    fold_standardisation_into_sae(sae_dir, standardisation);
    return result;
  });
  const SaeModel sae = SaeModel::load(sae_dir);

  // 4. Interpretation: the feature store from the training split's reports.
  const fs::path store_path = o.out / "features.db";
  std::unique_ptr<llm::LlmClient> client = make_llm_client(o, store_path);
  const InterpretSummary interp = clock.run("interpret", [&] {
    InterpretOptions io;
    io.sae_dir = sae_dir;
    io.embeddings = embeddings_path;
    io.studies = cohort.manifest;
    io.out = store_path;
    io.split = "train";
    io.seed = o.seed;
    io.force = true;
    DescriberFactory describer = [&](const InterpretCorpus& corpus) -> std::unique_ptr<Describer> {
      if (client) return std::make_unique<LlmDescriber>(*client);
      return std::make_unique<ExtractiveDescriber>(corpus.labeler, corpus.reports, corpus.labels);
    };
    JudgeFactory judge = [](const InterpretCorpus& corpus) -> std::unique_ptr<StatementJudge> {
      return std::make_unique<LabelerJudge>(corpus.labeler);
    };
    return run_interpret(io, describer, judge);
  });

  // 5. Sparse activations of every study (concept recovery, reports).
  const SparseActivations acts = clock.run("encode", [&] { return encode_embeddings(sae, all); });

  // 6. Reports for the test split, composed from the interpretable features.
  ReportOptions ro;
  ro.max_features = kReportMaxFeatures;
  // A feature must carry at least kMinImportanceRatio times an average active feature's share of the study
  // (importance is normalised per study, so that share is about 1 / L0). A study whose activation is
  // spread thinly over many features — in the demo mostly the normal ones — then keeps none, and gets the
  // normal-study report.
  ro.min_importance = min_importance_for(trained.metrics);
  ro.empty_report = kNormalStudyReport;
  {  // recorded with the store, so `saerad report` and `saerad serve` on the demo write the same reports
    FeatureStore writable(store_path, FeatureStore::Mode::ReadWrite);
    record_report_options(writable, ro);
  }
  const FeatureStore store(store_path, FeatureStore::Mode::ReadOnly);
  std::unique_ptr<Composer> composer;
  if (client)
    composer = std::make_unique<LlmComposer>(*client);
  else
    composer = std::make_unique<ExtractiveComposer>(labeler);
  std::vector<GeneratedReport> generated(test_rows.size());
  clock.run("report", [&] {
    ReportGenerator generator(sae, store, *composer, ro);
    SparseActivations test_acts;
    test_acts.d_sae = acts.d_sae;
    test_acts.decoder_norm = acts.decoder_norm;
    std::vector<StudyContext> contexts;
    for (int64_t r : test_rows) {
      test_acts.append_row(acts.row_indices(r), acts.row_values(r));
      contexts.push_back({all.study_ids[size_t(r)], "", ""});
    }
    generator.generate_all(test_acts, contexts, [&](size_t i, GeneratedReport report) { generated[i] = std::move(report); });
    return 0;
  });

  // 7. Evaluation against the ground-truth reports, and the floor: a random training study's report.
  std::map<std::string, size_t> cohort_index;
  for (size_t i = 0; i < cohort.studies.size(); ++i) cohort_index.emplace(cohort.studies[i].study_id, i);
  std::vector<eval::Reference> references;
  std::vector<Json> reference_lines, prediction_lines, baseline_lines;
  std::vector<eval::Prediction> baseline;
  Rng baseline_rng = Rng(o.seed).split(0xba5e);
  for (const auto& g : generated) {
    const std::string& text = cohort.reports[cohort_index.at(g.study_id)].findings;
    references.push_back({g.study_id, text, Json()});
    reference_lines.push_back({{"id", g.study_id}, {"report", text}});
    prediction_lines.push_back(g.to_json());
    const int64_t donor = train_rows[baseline_rng.below(train_rows.size())];
    const std::string& donor_text = cohort.reports[cohort_index.at(all.study_ids[size_t(donor)])].findings;
    baseline.push_back({g.study_id, donor_text, Json()});
    baseline_lines.push_back({{"id", g.study_id}, {"report", donor_text}, {"donor", all.study_ids[size_t(donor)]}});
  }
  write_jsonl(o.out / "predictions.jsonl", prediction_lines);
  write_jsonl(o.out / "references.jsonl", reference_lines);
  write_jsonl(o.out / "baseline_predictions.jsonl", baseline_lines);
  Json scores, baseline_scores;
  clock.run("eval", [&] {
    eval::EvalOptions eo;
    eo.labeler = &labeler;
    eo.seed = o.seed;
    scores = eval::evaluate(read_back(generated), references, eo);
    baseline_scores = eval::evaluate(baseline, references, eo);
    return 0;
  });

  // 8. Concept recovery: does a single SAE feature find each ground-truth finding?
  const std::vector<ConceptResult> concepts = clock.run("concepts", [&] {
    std::vector<std::vector<uint8_t>> labels(size_t(all.size()));
    for (int64_t r = 0; r < all.size(); ++r) {
      const auto v = finding_vector(cohort.studies[cohort_index.at(all.study_ids[size_t(r)])]);
      labels[size_t(r)].assign(v.begin(), v.end());
    }
    const std::vector<std::string> names(kFindingNames.begin(), kFindingNames.end());
    return recover_concepts(acts, labels, names, train_rows, test_rows);
  });

  Json metrics = scores;  // the `saerad eval --json` keys at the top level
  metrics["concept_recovery"] = concept_recovery_json(concepts);
  Json concept_details = Json::array();
  for (const auto& c : concepts) {
    Json d = {{"finding", c.concept_name}, {"feature", c.feature}, {"train_auroc", c.train_auroc},
              {"test_auroc", std::isfinite(c.test_auroc) ? Json(c.test_auroc) : Json(nullptr)},
              {"test_positives", c.test_positives}, {"train_positives", c.train_positives}};
    if (c.feature >= 0)
      if (auto rec = store.feature(c.feature)) d["description"] = rec->interpretable.value_or(false) ? rec->description : "";
    concept_details.push_back(std::move(d));
  }
  metrics["concept_recovery_details"] = concept_details;
  metrics["random_training_report"] = baseline_scores;
  metrics["micro_f1_14_gain_over_random"] = micro_f1_14(scores) - micro_f1_14(baseline_scores);
  metrics["sae"] = trained.metrics;
  metrics["interpret"] = interp.to_json();
  metrics["config"] = {{"n", o.n},
                       {"train_studies", train_rows.size()},
                       {"test_studies", test_rows.size()},
                       {"image_size", o.image_size},
                       {"seed", o.seed},
                       {"encoder", encoder->fingerprint()},
                       {"d_in", all.dim()},
                       {"expansion", o.expansion},
                       {"d_sae", sae.d_sae()},
                       {"steps", train_options.steps},
                       {"l1", train_options.l1},
                       {"report_max_features", kReportMaxFeatures},
                       {"report_min_importance", min_importance_for(trained.metrics)},
                       {"threads", thread_count()},
                       {"describer", client ? "llm" : "extractive"},
                       {"composer", composer->name()}};
  metrics["provenance"] = Provenance{.seed = o.seed}.to_json();

  // 9. The page.
  clock.run("page", [&] {
    DemoPageData page;
    page.cohort = &cohort;
    page.cohort_dir = "cohort";
    page.store = &store;
    page.concepts = concepts;
    for (const auto& g : generated)
      page.test_studies.push_back({cohort_index.at(g.study_id), g.report, g.provenance});
    page.encoder = encoder->fingerprint();
    page.describer = client ? "llm" : "extractive";
    page.composer = composer->name();
    for (const char* plot : {"loss.svg", "l0.svg", "density.svg"})
      if (fs::exists(sae_dir / plot)) page.plots.push_back("sae/" + std::string(plot));
    page.metrics = metrics;
    page.metrics["stage_seconds"] = clock.to_json();
    write_demo_page(o.out, page);
    return 0;
  });
  metrics["stage_seconds"] = clock.to_json();
  write_json_file(o.out / "metrics.json", metrics);
  return metrics;
}

}  // namespace saerad::demo
