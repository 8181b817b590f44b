#pragma once
// The reader study: reviews of generated sentences (correct / wrong / partly) and of feature descriptions
// (agree / disagree), stored in the feature store's `reviews` table through one read-write FeatureStore
// (its connection and lock: one writer; SQLite WAL: page readers never block it); a submission is one transaction, so it is stored whole or not at
// all, and its client-chosen `submission_id` makes a retried POST store nothing twice.
//
// reviews(id INTEGER PRIMARY KEY, submission_id TEXT, item INTEGER, reviewer TEXT, kind TEXT
//         ('sentence'|'feature'), study_id TEXT, composer TEXT, sentence_index INTEGER, sentence TEXT,
//         feature_id INTEGER, verdict TEXT, comment TEXT, created TEXT (UTC ISO 8601),
//         UNIQUE(submission_id, item))
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "interp/feature_store.hpp"

namespace saerad::serve {

struct Review {
  std::string kind;  // "sentence" | "feature"
  std::string study_id, composer, sentence;
  std::optional<int64_t> sentence_index, feature_id;
  std::string verdict, comment;
};

struct ReviewSubmission {
  std::string submission_id;  // client-generated; a repeat of a stored one is acknowledged, not stored again
  std::string reviewer;
  std::vector<Review> reviews;
};

struct ReviewLimits {
  size_t max_items = 500, max_text = 4000, max_name = 100;
};

// Validates a POST /api/reviews body; throws HttpError 400 naming the first bad field ("reviews[3].verdict").
// `feature_exists` / `study_exists` reject references to nothing.
ReviewSubmission parse_review_submission(const Json& body, const std::function<bool(int64_t)>& feature_exists,
                                         const std::function<bool(const std::string&)>& study_exists,
                                         const ReviewLimits& limits = {});

struct StoreResult {
  int64_t stored = 0;
  bool duplicate = false;
};

class ReviewStore {
 public:
  explicit ReviewStore(const std::filesystem::path& store_path);  // opens read-write, creates the table

  StoreResult store(const ReviewSubmission& submission);
  std::string export_csv();  // every review, oldest first; cells that spreadsheets would run as formulas are quoted
  Json counts();              // [{"reviewer", "sentences", "features", "total"}]
  int64_t total();

 private:
  FeatureStore store_;
};

}  // namespace saerad::serve
