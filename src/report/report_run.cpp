#include "report/report_run.hpp"

#include <chrono>
#include <set>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "data/manifest.hpp"
#include "interp/study_activations.hpp"
#include "sae/sae_model.hpp"
#include "vision/encoder.hpp"
#include "vision/image.hpp"

namespace saerad {
namespace {

void tally(ReportRunSummary& summary, const GeneratedReport& r) {
  ++summary.studies;
  summary.with_sentences += !r.report.empty();
  summary.failed += !r.error.empty();
  summary.leakage += r.leakage;
  summary.mean_active += double(r.active.size());
  std::set<int64_t> used;
  for (const auto& s : r.provenance)
    for (const auto& f : s["features"]) used.insert(f["id"].get<int64_t>());
  summary.mean_used += double(used.size());
}

GeneratedReport report_image(const ReportRunOptions& o, const SaeModel& sae, ReportGenerator& generator) {
  if (o.model_dir.empty() && !o.builtin_encoder)
    fail_input("--image needs --model DIR (DINOv2 / Rad-DINO) or --encoder builtin");
  auto encoder = o.model_dir.empty() ? make_builtin_encoder() : make_dinov2_encoder(o.model_dir);
  if (!sae.embeddings_model().empty() && sae.embeddings_model() != encoder->fingerprint())
    log_warning(fmt::format("the SAE in {} was trained on embeddings of {}, not {}", o.sae_dir,
                            sae.embeddings_model(), encoder->fingerprint()));
  if (encoder->dim() != sae.d_in())
    fail_input("the encoder gives {}-dim embeddings but the SAE in {} takes d_in = {}", encoder->dim(), o.sae_dir,
               sae.d_in());
  std::vector<Image> images{read_image(o.image)};
  std::vector<float> embedding(size_t(encoder->dim()));
  encoder->encode(images, embedding.data());
  StudyContext context{o.study_id.empty() ? o.image.filename().string() : o.study_id, o.indication, ""};
  return generator.generate(embedding, context);
}

}  // namespace

Json ReportRunSummary::to_json() const {
  Json j{{"studies", studies}, {"with_sentences", with_sentences}, {"failed", failed}, {"leakage", leakage},
         {"with_prior_report", with_prior_report}, {"mean_active_features", mean_active}, {"mean_features_used", mean_used}, {"seconds", seconds}};
  if (!single.empty()) j["report"] = single[0].to_json();
  return j;
}

ReportRunSummary run_report(const ReportRunOptions& o, Composer& composer) {
  const auto start = std::chrono::steady_clock::now();
  if (o.embeddings.empty() == o.image.empty()) fail_input("give exactly one of --embeddings or --image");
  const SaeModel sae = SaeModel::load(o.sae_dir);
  FeatureStore store(o.features, o.store ? FeatureStore::Mode::ReadWrite : FeatureStore::Mode::ReadOnly);
  if (auto fp = store.meta("sae_fingerprint"); fp && *fp != sae.fingerprint())
    fail_input("{}: feature store describes another SAE ({}; {} is {})", o.features, *fp, o.sae_dir, sae.fingerprint());
  ReportGenerator generator(sae, store, composer, report_options_for(store, o.max_features, o.min_importance));
  if (generator.catalog().interpretable_count() == 0)
    log_warning(fmt::format("{}: no interpretable feature descriptions; reports will be empty (run interpret)",
                            o.features));

  ReportRunSummary summary;
  std::vector<StoredReport> stored;
  std::string lines;
  auto emit = [&](const GeneratedReport& r) {
    tally(summary, r);
    lines += r.to_json().dump() + "\n";
    if (o.store) stored.push_back({r.study_id, r.composer, r.report, r.provenance, ""});
  };

  if (!o.image.empty()) {
    summary.single.push_back(report_image(o, sae, generator));
    emit(summary.single.back());
  } else {
    const Embeddings emb = read_embeddings(o.embeddings, o.ids_file);
    if (emb.dim() != sae.d_in())
      fail_input("{}: embeddings have d = {} but the SAE in {} takes d_in = {}", o.embeddings, emb.dim(), o.sae_dir,
                 sae.d_in());
    std::unordered_map<std::string, const StudyRow*> rows;
    Manifest manifest;
    std::unordered_map<std::string, const StudyRow*> previous;
    if (!o.studies.empty()) {
      manifest = read_manifest(o.studies);
      for (const StudyRow* row : manifest.studies()) rows.emplace(row->study_id, row);
      if (o.use_prior_report) previous = manifest.previous_studies();
    } else if (!o.split.empty() || o.use_prior_report) {
      fail_input("{} needs --studies", o.split.empty() ? "--prior-report" : "--split");
    }
    auto prior_report = [&](const std::string& study) {
      auto it = previous.find(study);
      return it == previous.end() ? std::string() : report_section(*it->second, "both");
    };
    // Studies in first-appearance order, each with its rows (activations merged: max over a study's images).
    std::vector<StudyContext> contexts;
    StudyRows studies;
    std::unordered_map<std::string, size_t> position;
    for (int64_t r = 0; r < emb.size(); ++r) {
      const std::string& study = row_study_id(emb, r);
      const StudyRow* row = nullptr;
      if (!o.studies.empty()) {
        auto it = rows.find(study);
        if (it != rows.end()) row = it->second;
        if (!o.split.empty() && (!row || row->split != o.split)) continue;
      }
      const size_t before = studies.ids.size();
      studies.add(study, r, position);
      if (studies.ids.size() > before)
        contexts.push_back({study, row && o.use_indication ? row->indication : "", prior_report(study)});
    }
    if (contexts.empty()) fail_input("{}: no study to report on (check --split {})", o.embeddings, o.split);
    for (const auto& context : contexts) summary.with_prior_report += !context.prior_report.empty();
    SparseActivations acts;
    acts.d_sae = sae.d_sae();
    encode_studies(sae, emb, studies, 1024, "encode",
                   [&](size_t, std::span<const int32_t> idx, std::span<const float> val) { acts.append_row(idx, val); });
    std::vector<GeneratedReport> reports(contexts.size());
    Progress progress("compose", int64_t(contexts.size()), "reports");
    generator.generate_all(acts, contexts, [&](size_t i, GeneratedReport r) {
      reports[i] = std::move(r);
      progress.advance();
    });
    progress.finish();
    for (const auto& r : reports) emit(r);
  }
  if (summary.studies > 0) {
    summary.mean_active /= double(summary.studies);
    summary.mean_used /= double(summary.studies);
  }
  if (!o.out.empty()) write_file_atomic(o.out, lines);
  if (o.store) store.write_reports(stored);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace saerad
