#include "interp/feature_store.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/provenance.hpp"

namespace saerad {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS features(
  id INTEGER PRIMARY KEY,
  interpretable INTEGER CHECK (interpretable IN (0, 1)),
  description TEXT, describer TEXT, describer_model TEXT, prompt_version TEXT, evidence_json TEXT,
  density REAL, mean_activation REAL, max_activation REAL,
  enrichment_json TEXT, enrichment_max_log_odds REAL,
  description_score REAL, score_json TEXT, described_at TEXT);
CREATE INDEX IF NOT EXISTS features_density ON features(density);
CREATE INDEX IF NOT EXISTS features_score ON features(description_score);
CREATE INDEX IF NOT EXISTS features_enrichment ON features(enrichment_max_log_odds);
CREATE VIRTUAL TABLE IF NOT EXISTS features_fts USING fts5(description, content='features', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS features_fts_insert AFTER INSERT ON features BEGIN
  INSERT INTO features_fts(rowid, description) VALUES (new.id, coalesce(new.description, ''));
END;
CREATE TRIGGER IF NOT EXISTS features_fts_delete AFTER DELETE ON features BEGIN
  INSERT INTO features_fts(features_fts, rowid, description) VALUES ('delete', old.id, coalesce(old.description, ''));
END;
CREATE TRIGGER IF NOT EXISTS features_fts_update AFTER UPDATE OF description ON features BEGIN
  INSERT INTO features_fts(features_fts, rowid, description) VALUES ('delete', old.id, coalesce(old.description, ''));
  INSERT INTO features_fts(rowid, description) VALUES (new.id, coalesce(new.description, ''));
END;
CREATE TABLE IF NOT EXISTS examples(
  feature_id INTEGER NOT NULL, rank INTEGER NOT NULL, study_id TEXT NOT NULL, activation REAL NOT NULL,
  PRIMARY KEY(feature_id, rank));
CREATE INDEX IF NOT EXISTS examples_study ON examples(study_id);
CREATE TABLE IF NOT EXISTS histograms(feature_id INTEGER PRIMARY KEY, bins_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports(
  study_id TEXT NOT NULL, composer TEXT NOT NULL, report TEXT NOT NULL, provenance_json TEXT NOT NULL,
  created TEXT NOT NULL, PRIMARY KEY(study_id, composer));
CREATE TABLE IF NOT EXISTS llm_cache(
  key TEXT PRIMARY KEY, request_json TEXT NOT NULL, response_json TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS describe_failures(
  feature_id INTEGER PRIMARY KEY, describer TEXT, message TEXT NOT NULL, created TEXT NOT NULL);
)sql";

constexpr const char* kFeatureColumns =
    "id, interpretable, description, describer, describer_model, prompt_version, evidence_json, density, "
    "mean_activation, max_activation, enrichment_json, enrichment_max_log_odds, description_score, score_json, "
    "described_at";

FeatureRecord read_feature_row(const SqliteStatement& st) {
  FeatureRecord r;
  r.id = st.int64(0);
  if (!st.is_null(1)) r.interpretable = st.int64(1) != 0;
  r.description = st.text(2);
  r.describer = st.text(3);
  r.describer_model = st.text(4);
  r.prompt_version = st.text(5);
  if (!st.is_null(6)) {
    Json evidence = Json::parse(st.text(6), nullptr, false);
    if (evidence.is_array())
      for (const auto& e : evidence)
        if (e.is_number_integer()) r.evidence.push_back(e.get<int>());
  }
  r.density = st.real(7);
  r.mean_activation = st.real(8);
  r.max_activation = st.real(9);
  if (!st.is_null(10)) r.enrichment = Json::parse(st.text(10), nullptr, false);
  r.enrichment_max_log_odds = st.real_opt(11);
  r.description_score = st.real_opt(12);
  if (!st.is_null(13)) r.score = Json::parse(st.text(13), nullptr, false);
  r.described_at = st.text(14);
  return r;
}

std::string sort_column(FeatureSortKey key) {
  switch (key) {
    case FeatureSortKey::Id: return "id";
    case FeatureSortKey::Density: return "density";
    case FeatureSortKey::MeanActivation: return "mean_activation";
    case FeatureSortKey::DescriptionScore: return "description_score";
    case FeatureSortKey::Enrichment: return "enrichment_max_log_odds";
  }
  return "id";
}

}  // namespace

Json FeatureHistogram::to_json() const {
  return Json{{"log10_min", log10_min}, {"log10_max", log10_max}, {"counts", counts}};
}

FeatureHistogram FeatureHistogram::from_json(const Json& j) {
  FeatureHistogram h;
  h.log10_min = j.value("log10_min", -3.0);
  h.log10_max = j.value("log10_max", 3.0);
  h.counts = j.value("counts", std::vector<int64_t>{});
  return h;
}

Json enrichment_to_json(const std::vector<LabelEnrichment>& enrichment) {
  Json j = Json::object();
  for (const auto& e : enrichment)
    j[e.label] = {{"top_rate", e.top_rate}, {"base_rate", e.base_rate}, {"top_count", e.top_count},
                  {"log_odds", e.log_odds}};
  return j;
}

std::vector<LabelEnrichment> enrichment_from_json(const Json& j) {
  std::vector<LabelEnrichment> out;
  if (!j.is_object()) return out;
  for (const auto& [label, v] : j.items()) {
    if (!v.is_object()) continue;
    out.push_back({label, v.value("top_rate", 0.0), v.value("base_rate", 0.0), v.value("top_count", 0),
                   v.value("log_odds", 0.0)});
  }
  return out;
}

Json FeatureRecord::to_json() const {
  Json j{{"id", id},
         {"interpretable", interpretable ? Json(*interpretable) : Json()},
         {"description", description},
         {"describer", describer},
         {"describer_model", describer_model},
         {"prompt_version", prompt_version},
         {"evidence", evidence},
         {"density", density},
         {"mean_activation", mean_activation},
         {"max_activation", max_activation},
         {"enrichment", enrichment},
         {"enrichment_max_log_odds", enrichment_max_log_odds ? Json(*enrichment_max_log_odds) : Json()},
         {"description_score", description_score ? Json(*description_score) : Json()}};
  if (!score.is_null()) j["score"] = score;
  return j;
}

FeatureSortKey parse_feature_sort_key(const std::string& name) {
  if (name == "id") return FeatureSortKey::Id;
  if (name == "density") return FeatureSortKey::Density;
  if (name == "mean" || name == "mean_activation") return FeatureSortKey::MeanActivation;
  if (name == "score" || name == "description_score") return FeatureSortKey::DescriptionScore;
  if (name == "enrichment" || name == "enrichment_max_log_odds") return FeatureSortKey::Enrichment;
  fail_input("unknown sort key '{}' (id, density, mean, score, enrichment)", name);
}

Json DescriptionScoreSummary::to_json() const {
  auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(); };
  return Json{{"described", described},    {"interpretable", interpretable}, {"scored", scored},
              {"mean_auroc", num(mean)},   {"median_auroc", num(median)},
              {"fraction_auroc_above_0_7", num(fraction_above_0_7)}};
}

FeatureStore::FeatureStore(const std::filesystem::path& path, Mode mode) : path_(path) {
  db_ = std::make_unique<SqliteDb>(path, mode == Mode::ReadOnly ? SqliteDb::Mode::ReadOnly : SqliteDb::Mode::ReadWrite);
  const bool has_meta = db_->has_table("meta");
  if (!has_meta && mode == Mode::ReadOnly) fail_input("{}: not a saerad feature store (no `meta` table)", path);
  if (has_meta) {
    auto version = meta("schema_version");
    if (!version) fail_input("{}: not a saerad feature store (no schema_version in `meta`)", path);
    if (*version != std::to_string(kFeatureStoreSchemaVersion))
      fail_input("{}: feature store schema version {} (this saerad reads version {})", path, *version,
                 kFeatureStoreSchemaVersion);
  }
  if (mode == Mode::ReadWrite) create_schema();
}

FeatureStore::~FeatureStore() = default;

void FeatureStore::create_schema() {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  db_->exec(kSchema);
  auto st = db_->prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)");
  st.bind(1, std::to_string(kFeatureStoreSchemaVersion)).run();
  tx.commit();
}

std::optional<std::string> FeatureStore::meta(const std::string& key) const {
  auto guard = lock();
  auto st = db_->prepare("SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void FeatureStore::set_meta(const std::string& key, const std::string& value) {
  auto guard = lock();
  db_->prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

int FeatureStore::schema_version() const { return std::stoi(meta("schema_version").value_or("0")); }

void FeatureStore::check_sae(const std::string& sae_fingerprint, bool force) {
  auto stored = meta("sae_fingerprint");
  if (stored && *stored != sae_fingerprint && !force)
    fail_input("{}: feature store was built from another SAE ({}; this SAE is {}); use a new --out or --force",
               path_, *stored, sae_fingerprint);
  if (!stored || *stored != sae_fingerprint) set_meta("sae_fingerprint", sae_fingerprint);
}

void FeatureStore::write_statistics(const std::vector<FeatureStats>& stats, const std::vector<FeatureExample>& examples,
                                    const std::vector<std::pair<int64_t, FeatureHistogram>>& histograms) {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  // Upsert keeps descriptions and scores: statistics may be refreshed without losing described features.
  auto upsert = db_->prepare(
      "INSERT INTO features(id, density, mean_activation, max_activation) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET density = excluded.density, mean_activation = excluded.mean_activation, "
      "max_activation = excluded.max_activation");
  for (const auto& s : stats) {
    upsert.reset();
    upsert.bind(1, s.id).bind(2, s.density).bind(3, s.mean_activation).bind(4, s.max_activation).run();
  }
  auto clear = db_->prepare("DELETE FROM examples WHERE feature_id = ?");
  for (const auto& s : stats) {
    clear.reset();
    clear.bind(1, s.id).run();
  }
  auto insert = db_->prepare("INSERT OR REPLACE INTO examples(feature_id, rank, study_id, activation) VALUES (?, ?, ?, ?)");
  for (const auto& e : examples) {
    insert.reset();
    insert.bind(1, e.feature_id).bind(2, int64_t(e.rank)).bind(3, e.study_id).bind(4, double(e.activation)).run();
  }
  auto hist = db_->prepare("INSERT OR REPLACE INTO histograms(feature_id, bins_json) VALUES (?, ?)");
  for (const auto& [id, h] : histograms) {
    hist.reset();
    hist.bind(1, id).bind(2, h.to_json().dump()).run();
  }
  tx.commit();
}

void FeatureStore::write_enrichment(int64_t feature_id, const std::vector<LabelEnrichment>& enrichment) {
  write_enrichment_all({{feature_id, enrichment}});
}

void FeatureStore::write_enrichment_all(const std::vector<std::pair<int64_t, std::vector<LabelEnrichment>>>& all) {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  auto st = db_->prepare("UPDATE features SET enrichment_json = ?, enrichment_max_log_odds = ? WHERE id = ?");
  for (const auto& [id, enrichment] : all) {
    std::optional<double> peak;
    for (const auto& e : enrichment) peak = peak ? std::max(*peak, e.log_odds) : e.log_odds;
    st.reset();
    st.bind(1, enrichment_to_json(enrichment).dump()).bind(2, peak).bind(3, id).run();
  }
  tx.commit();
}

void FeatureStore::write_description(int64_t feature_id, const StoredDescription& d) {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  db_->prepare(
         "INSERT INTO features(id, interpretable, description, describer, describer_model, prompt_version, "
         "evidence_json, described_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
         "interpretable = excluded.interpretable, description = excluded.description, describer = excluded.describer, "
         "describer_model = excluded.describer_model, prompt_version = excluded.prompt_version, "
         "evidence_json = excluded.evidence_json, described_at = excluded.described_at, "
         "description_score = NULL, score_json = NULL")
      .bind(1, feature_id)
      .bind(2, int64_t(d.interpretable ? 1 : 0))
      .bind(3, d.interpretable ? d.description : std::string())
      .bind(4, d.describer)
      .bind(5, d.describer_model)
      .bind(6, d.prompt_version)
      .bind(7, Json(d.evidence).dump())
      .bind(8, utc_timestamp())
      .run();
  db_->prepare("DELETE FROM describe_failures WHERE feature_id = ?").bind(1, feature_id).run();
  tx.commit();
}

void FeatureStore::write_description_score(int64_t feature_id, std::optional<double> auroc, const Json& score_json) {
  auto guard = lock();
  if (auroc && !std::isfinite(*auroc)) auroc.reset();
  db_->prepare("UPDATE features SET description_score = ?, score_json = ? WHERE id = ?")
      .bind(1, auroc)
      .bind(2, score_json.dump())
      .bind(3, feature_id)
      .run();
}

void FeatureStore::record_failure(int64_t feature_id, const std::string& describer, const std::string& message) {
  auto guard = lock();
  db_->prepare("INSERT OR REPLACE INTO describe_failures(feature_id, describer, message, created) VALUES (?, ?, ?, ?)")
      .bind(1, feature_id)
      .bind(2, describer)
      .bind(3, message)
      .bind(4, utc_timestamp())
      .run();
}

void FeatureStore::clear_failure(int64_t feature_id) {
  auto guard = lock();
  db_->prepare("DELETE FROM describe_failures WHERE feature_id = ?").bind(1, feature_id).run();
}

void FeatureStore::clear_descriptions() {
  auto guard = lock();
  db_->exec(
      "UPDATE features SET interpretable = NULL, description = NULL, describer = NULL, describer_model = NULL, "
      "prompt_version = NULL, evidence_json = NULL, description_score = NULL, score_json = NULL, described_at = NULL");
}

void FeatureStore::reset_features() {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  db_->exec("DELETE FROM features; DELETE FROM examples; DELETE FROM histograms; DELETE FROM describe_failures; "
            "DELETE FROM meta WHERE key = 'stats_complete'");
  tx.commit();
}

int64_t FeatureStore::feature_count() const {
  auto guard = lock();
  auto st = db_->prepare("SELECT count(*) FROM features");
  st.step();
  return st.int64(0);
}

std::optional<FeatureRecord> FeatureStore::feature(int64_t id) const {
  auto guard = lock();
  auto st = db_->prepare(fmt::format("SELECT {} FROM features WHERE id = ?", kFeatureColumns));
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_feature_row(st);
}

FeaturePage FeatureStore::query(const FeatureQuery& q) const {
  auto guard = lock();
  std::vector<std::string> where;
  if (!q.search.empty()) where.push_back("id IN (SELECT rowid FROM features_fts WHERE features_fts MATCH ?1)");
  if (q.interpretable) where.push_back(*q.interpretable ? "interpretable = 1" : "interpretable = 0");
  if (q.described_only) where.push_back("interpretable IS NOT NULL");
  const std::string where_sql = where.empty() ? "" : " WHERE " + fmt::format("{}", fmt::join(where, " AND "));
  const std::string column = sort_column(q.sort);
  const std::string order = fmt::format(" ORDER BY {} IS NULL, {} {}, id", column, column, q.descending ? "DESC" : "ASC");
  const std::string limit = q.limit > 0 ? fmt::format(" LIMIT {} OFFSET {}", q.limit, std::max<int64_t>(0, q.offset))
                                        : fmt::format(" LIMIT -1 OFFSET {}", std::max<int64_t>(0, q.offset));
  FeaturePage page;
  try {
    auto count = db_->prepare("SELECT count(*) FROM features" + where_sql);
    if (!q.search.empty()) count.bind(1, q.search);
    count.step();
    page.total = count.int64(0);
    auto st = db_->prepare(fmt::format("SELECT {} FROM features{}{}{}", kFeatureColumns, where_sql, order, limit));
    if (!q.search.empty()) st.bind(1, q.search);
    while (st.step()) page.features.push_back(read_feature_row(st));
  } catch (const Error& e) {
    if (!q.search.empty()) fail_input("invalid search '{}': {}", q.search, e.what());
    throw;
  }
  return page;
}

std::vector<int64_t> FeatureStore::described_ids() const {
  auto guard = lock();
  std::vector<int64_t> ids;
  auto st = db_->prepare("SELECT id FROM features WHERE interpretable IS NOT NULL ORDER BY id");
  while (st.step()) ids.push_back(st.int64(0));
  return ids;
}

std::vector<FeatureExample> FeatureStore::examples(int64_t feature_id) const {
  auto guard = lock();
  std::vector<FeatureExample> out;
  auto st = db_->prepare("SELECT rank, study_id, activation FROM examples WHERE feature_id = ? ORDER BY rank");
  st.bind(1, feature_id);
  while (st.step()) out.push_back({feature_id, int(st.int64(0)), st.text(1), float(st.real(2))});
  return out;
}

std::optional<FeatureHistogram> FeatureStore::histogram(int64_t feature_id) const {
  auto guard = lock();
  auto st = db_->prepare("SELECT bins_json FROM histograms WHERE feature_id = ?");
  st.bind(1, feature_id);
  if (!st.step()) return std::nullopt;
  return FeatureHistogram::from_json(Json::parse(st.text(0), nullptr, false));
}

std::vector<std::pair<int64_t, std::string>> FeatureStore::failures() const {
  auto guard = lock();
  std::vector<std::pair<int64_t, std::string>> out;
  auto st = db_->prepare("SELECT feature_id, message FROM describe_failures ORDER BY feature_id");
  while (st.step()) out.emplace_back(st.int64(0), st.text(1));
  return out;
}

DescriptionScoreSummary FeatureStore::score_summary() const {
  auto guard = lock();
  DescriptionScoreSummary s;
  auto st = db_->prepare("SELECT interpretable, description_score FROM features WHERE interpretable IS NOT NULL");
  std::vector<double> scores;
  while (st.step()) {
    ++s.described;
    if (st.int64(0)) ++s.interpretable;
    if (auto v = st.real_opt(1)) scores.push_back(*v);
  }
  s.scored = int64_t(scores.size());
  if (!scores.empty()) {
    std::sort(scores.begin(), scores.end());
    double sum = 0, above = 0;
    for (double v : scores) {
      sum += v;
      above += v > 0.7;
    }
    s.mean = sum / double(scores.size());
    const size_t n = scores.size();
    s.median = n % 2 ? scores[n / 2] : 0.5 * (scores[n / 2 - 1] + scores[n / 2]);
    s.fraction_above_0_7 = above / double(n);
  }
  return s;
}

std::vector<FeatureRecord> FeatureStore::interpretable_features() const {
  auto guard = lock();
  std::vector<FeatureRecord> out;
  auto st = db_->prepare(fmt::format("SELECT {} FROM features WHERE interpretable = 1 ORDER BY id", kFeatureColumns));
  while (st.step()) out.push_back(read_feature_row(st));
  return out;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> FeatureStore::example_study_ids() const {
  auto guard = lock();
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  auto st = db_->prepare("SELECT feature_id, study_id FROM examples ORDER BY feature_id, rank");
  while (st.step()) {
    const int64_t id = st.int64(0);
    if (out.empty() || out.back().first != id) out.emplace_back(id, std::vector<std::string>{});
    out.back().second.push_back(st.text(1));
  }
  return out;
}

void FeatureStore::write_report(const StoredReport& report) { write_reports({report}); }

void FeatureStore::write_reports(const std::vector<StoredReport>& reports) {
  auto guard = lock();
  SqliteTransaction tx(*db_);
  auto st = db_->prepare(
      "INSERT OR REPLACE INTO reports(study_id, composer, report, provenance_json, created) VALUES (?, ?, ?, ?, ?)");
  const std::string now = utc_timestamp();
  for (const auto& r : reports) {
    st.reset();
    st.bind(1, r.study_id).bind(2, r.composer).bind(3, r.report).bind(4, r.provenance.dump())
        .bind(5, r.created.empty() ? now : r.created).run();
  }
  tx.commit();
}

std::optional<StoredReport> FeatureStore::report(const std::string& study_id, const std::string& composer) const {
  auto guard = lock();
  auto st = db_->prepare(
      "SELECT study_id, composer, report, provenance_json, created FROM reports WHERE study_id = ?1 "
      "AND (?2 = '' OR composer = ?2) ORDER BY created DESC LIMIT 1");
  st.bind(1, study_id).bind(2, composer);
  if (!st.step()) return std::nullopt;
  return StoredReport{st.text(0), st.text(1), st.text(2), Json::parse(st.text(3), nullptr, false), st.text(4)};
}

std::vector<StoredReport> FeatureStore::reports(int64_t offset, int64_t limit) const {
  auto guard = lock();
  std::vector<StoredReport> out;
  auto st = db_->prepare(
      "SELECT study_id, composer, report, provenance_json, created FROM reports ORDER BY study_id, composer "
      "LIMIT ? OFFSET ?");
  st.bind(1, limit > 0 ? limit : int64_t(-1)).bind(2, std::max<int64_t>(0, offset));
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.text(2), Json::parse(st.text(3), nullptr, false), st.text(4)});
  return out;
}

}  // namespace saerad
