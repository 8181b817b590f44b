#include "serve/review_store.hpp"

#include <map>

#include "core/csv.hpp"
#include "core/hash.hpp"
#include "core/provenance.hpp"
#include "core/strings.hpp"
#include "serve/http_error.hpp"

namespace saerad::serve {

namespace {

std::string text_field(const Json& object, const char* key, const std::string& where, size_t max_length,
                       bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) fail_http(400, "{}.{}: missing", where, key);
    return {};
  }
  if (!it->is_string()) fail_http(400, "{}.{}: must be a string", where, key);
  std::string value = it->get<std::string>();
  if (value.size() > max_length) fail_http(400, "{}.{}: longer than {} bytes", where, key, max_length);
  if (required && trim(value).empty()) fail_http(400, "{}.{}: empty", where, key);
  return value;
}

std::optional<int64_t> int_field(const Json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    fail_http(400, "{}.{}: must be a non-negative integer", where, key);
  return it->get<int64_t>();
}

Review parse_review(const Json& item, const std::string& where, const std::function<bool(int64_t)>& feature_exists,
                    const std::function<bool(const std::string&)>& study_exists, const ReviewLimits& limits) {
  if (!item.is_object()) fail_http(400, "{}: must be an object", where);
  Review r;
  r.kind = text_field(item, "kind", where, 16, true);
  r.verdict = text_field(item, "verdict", where, 16, true);
  r.comment = text_field(item, "comment", where, limits.max_text, false);
  if (r.kind == "sentence") {
    if (r.verdict != "correct" && r.verdict != "wrong" && r.verdict != "partly")
      fail_http(400, "{}.verdict: a sentence is 'correct', 'wrong' or 'partly'", where);
    r.study_id = text_field(item, "study_id", where, 160, true);
    if (!study_exists(r.study_id)) fail_http(400, "{}.study_id: unknown study", where);
    r.composer = text_field(item, "composer", where, 200, false);
    r.sentence = text_field(item, "sentence", where, limits.max_text, true);
    r.sentence_index = int_field(item, "sentence_index", where);
    r.feature_id = int_field(item, "feature_id", where);
  } else if (r.kind == "feature") {
    if (r.verdict != "agree" && r.verdict != "disagree")
      fail_http(400, "{}.verdict: a feature description is 'agree' or 'disagree'", where);
    r.feature_id = int_field(item, "feature_id", where);
    if (!r.feature_id) fail_http(400, "{}.feature_id: missing", where);
    r.study_id = text_field(item, "study_id", where, 160, false);
  } else {
    fail_http(400, "{}.kind: 'sentence' or 'feature'", where);
  }
  if (r.feature_id && !feature_exists(*r.feature_id)) fail_http(400, "{}.feature_id: no feature {}", where, *r.feature_id);
  return r;
}

// A cell a spreadsheet would evaluate (=, +, -, @, tab, CR first) is prefixed with ' (OWASP CSV injection).
std::string inert_cell(std::string value) {
  if (!value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos)
    value.insert(value.begin(), '\'');
  return value;
}

}  // namespace

ReviewSubmission parse_review_submission(const Json& body, const std::function<bool(int64_t)>& feature_exists,
                                         const std::function<bool(const std::string&)>& study_exists,
                                         const ReviewLimits& limits) {
  if (!body.is_object()) fail_http(400, "body: must be a JSON object");
  ReviewSubmission s;
  s.reviewer = std::string(trim(text_field(body, "reviewer", "body", limits.max_name, true)));
  s.submission_id = text_field(body, "submission_id", "body", 100, false);
  auto it = body.find("reviews");
  if (it == body.end() || !it->is_array() || it->empty()) fail_http(400, "body.reviews: a non-empty array");
  if (it->size() > limits.max_items) fail_http(400, "body.reviews: more than {} items", limits.max_items);
  for (size_t i = 0; i < it->size(); ++i)
    s.reviews.push_back(parse_review((*it)[i], fmt::format("reviews[{}]", i), feature_exists, study_exists, limits));
  if (s.submission_id.empty())  // no client id: the content itself identifies the submission
    s.submission_id = "auto:" + sha256_hex(body.dump()).substr(0, 32);
  return s;
}

ReviewStore::ReviewStore(const std::filesystem::path& store_path) : store_(store_path, FeatureStore::Mode::ReadWrite) {
  auto lock = store_.lock();
  store_.db().exec(
      "CREATE TABLE IF NOT EXISTS reviews("
      "id INTEGER PRIMARY KEY, submission_id TEXT NOT NULL, item INTEGER NOT NULL, reviewer TEXT NOT NULL, "
      "kind TEXT NOT NULL CHECK(kind IN ('sentence','feature')), study_id TEXT, composer TEXT, "
      "sentence_index INTEGER, sentence TEXT, feature_id INTEGER, verdict TEXT NOT NULL, "
      "comment TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, UNIQUE(submission_id, item))");
}

StoreResult ReviewStore::store(const ReviewSubmission& submission) {
  auto lock = store_.lock();
  SqliteDb& db = store_.db();
  SqliteTransaction transaction(db);
  auto seen = db.prepare("SELECT COUNT(*) FROM reviews WHERE submission_id = ?");
  seen.bind(1, std::string_view(submission.submission_id));
  seen.step();
  const bool duplicate = seen.int64(0) > 0;
  seen.reset();
  if (duplicate) return {0, true};  // rolled back: nothing written
  const std::string created = utc_timestamp();
  auto insert = db.prepare(
      "INSERT INTO reviews(submission_id, item, reviewer, kind, study_id, composer, sentence_index, sentence, "
      "feature_id, verdict, comment, created) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  int64_t item = 0;
  for (const Review& r : submission.reviews) {
    insert.reset();
    insert.bind(1, std::string_view(submission.submission_id)).bind(2, item++);
    insert.bind(3, std::string_view(submission.reviewer)).bind(4, std::string_view(r.kind));
    insert.bind(5, std::string_view(r.study_id)).bind(6, std::string_view(r.composer));
    insert.bind(7, r.sentence_index).bind(8, std::string_view(r.sentence)).bind(9, r.feature_id);
    insert.bind(10, std::string_view(r.verdict)).bind(11, std::string_view(r.comment)).bind(12, std::string_view(created));
    insert.step();
  }
  transaction.commit();
  return {item, false};
}

std::string ReviewStore::export_csv() {
  auto lock = store_.lock();
  SqliteDb& db = store_.db();
  std::string out = csv_line({"id", "created", "reviewer", "kind", "study_id", "composer", "sentence_index", "sentence",
                              "feature_id", "verdict", "comment", "submission_id"});
  auto st = db.prepare(
      "SELECT id, created, reviewer, kind, study_id, composer, sentence_index, sentence, feature_id, verdict, "
      "comment, submission_id FROM reviews ORDER BY id");
  while (st.step()) {
    std::vector<std::string> cells;
    for (int c = 0; c < 12; ++c) cells.push_back(inert_cell(st.text(c)));
    out += csv_line(cells);
  }
  return out;
}

Json ReviewStore::counts() {
  auto lock = store_.lock();
  SqliteDb& db = store_.db();
  std::map<std::string, std::pair<int64_t, int64_t>> per_reviewer;
  auto st = db.prepare("SELECT reviewer, kind, COUNT(*) FROM reviews GROUP BY reviewer, kind");
  while (st.step()) {
    auto& [sentences, features] = per_reviewer[st.text(0)];
    (st.text(1) == "sentence" ? sentences : features) += st.int64(2);
  }
  Json out = Json::array();
  for (const auto& [name, c] : per_reviewer)
    out.push_back({{"reviewer", name}, {"sentences", c.first}, {"features", c.second}, {"total", c.first + c.second}});
  return out;
}

int64_t ReviewStore::total() {
  auto lock = store_.lock();
  SqliteDb& db = store_.db();
  auto st = db.prepare("SELECT COUNT(*) FROM reviews");
  st.step();
  return st.int64(0);
}

}  // namespace saerad::serve
