#pragma once
// A tiny synthetic cohort for command-line tests of interpret/report: 240 studies (200 train, 40 test) of
// 16-d embeddings, three findings each a direction in the embedding space and a sentence in the report;
// every subject has two studies on different dates (so each second study has a prior report); and SAEs
// trained on it, one per seed. Header-only.
#include <string>
#include <vector>

#include "core/embeddings.hpp"
#include "core/provenance.hpp"
#include "core/rng.hpp"
#include "data/manifest.hpp"
#include "sae/trainer.hpp"
#include "support/test_support.hpp"

namespace saerad::testing {

struct TinyCohort {
  Embeddings embeddings;       // also written to <dir>/emb.safetensors
  std::vector<StudyRow> rows;  // also written to <dir>/studies.csv
};

// Writes emb.safetensors, studies.csv and one SAE per seed (<dir>/sae<seed>, 24 latents).
inline TinyCohort write_tiny_cohort(const fs::path& dir, const std::vector<int>& sae_seeds = {1}) {
  const std::vector<std::string> sentences = {"There is a large right pleural effusion.", "The heart is enlarged.",
                                              "Degenerative changes of the thoracic spine."};
  const int64_t d = 16, n = 240;
  Rng rng(5);
  TinyCohort cohort;
  Embeddings& emb = cohort.embeddings;
  emb.vectors = MatrixF32(n, d);
  for (int64_t i = 0; i < n; ++i) {
    std::string report = "The lungs are clear.";
    for (size_t c = 0; c < sentences.size(); ++c)
      if (rng.bernoulli(0.2)) {
        report += " " + sentences[c];
        emb.vectors.at(i, int64_t(c)) += 3.0f;
      }
    for (int64_t j = 0; j < d; ++j) emb.vectors.at(i, j) += float(0.1 * rng.normal());
    const std::string id = "s" + std::to_string(i);
    emb.ids.push_back(id);
    emb.study_ids.push_back(id);
    StudyRow row;
    row.study_id = id;
    row.subject_id = "p" + std::to_string(i / 2);
    row.study_datetime = i % 2 == 0 ? "2020-01-05T10:00:00" : "2021-03-07T09:30:00";
    row.split = i < 200 ? "train" : "test";
    row.findings = report;
    cohort.rows.push_back(row);
  }
  write_embeddings(dir / "emb.safetensors", emb, Provenance{});
  write_manifest(dir / "studies.csv", cohort.rows);
  for (int seed : sae_seeds) {
    TrainOptions options;
    options.out_dir = dir / ("sae" + std::to_string(seed));
    options.latents = 24;
    options.batch = 64;
    options.steps = 400;
    options.lr = 3e-3;
    options.seed = uint64_t(seed);
    options.plots = false;
    options.checkpoint_every = 0;
    train_sae(emb, options);
  }
  return cohort;
}

// The cohort's rows `first`..`first + count - 1` as their own embeddings file (a few studies to report on).
inline void write_cohort_rows(const TinyCohort& cohort, int64_t first, int64_t count, const fs::path& path) {
  Embeddings part;
  part.vectors = MatrixF32(count, cohort.embeddings.dim());
  for (int64_t r = 0; r < count; ++r) {
    for (int64_t j = 0; j < part.dim(); ++j) part.vectors.at(r, j) = cohort.embeddings.vectors.at(first + r, j);
    part.ids.push_back(cohort.embeddings.ids[size_t(first + r)]);
    part.study_ids.push_back(cohort.embeddings.study_ids[size_t(first + r)]);
  }
  write_embeddings(path, part, Provenance{});
}

}  // namespace saerad::testing
