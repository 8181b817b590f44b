#pragma once
// The JSON documents of the feature and study pages, read from the feature store (docs/formats.md:
// features, examples, histograms, reports) and joined with studies.csv.
#include <cstdint>
#include <string>

#include "core/json_io.hpp"
#include "interp/feature_store.hpp"

namespace saerad::serve {

class FeatureIndex;
class StudyCatalog;

// GET /api/features/{id}: the feature record (description, describer, model, prompt version, score, density,
// enrichment), its histogram, and its top-activating studies with their reports split into sentences, each
// flagged `match` when it speaks of the description. Null when there is no such feature.
Json feature_detail(const FeatureStore& store, const StudyCatalog& studies, int64_t id, size_t max_examples = 24);

// GET /api/studies/{id}: the study (report fields, images) and every stored generated report with its
// per-sentence provenance and feature-importance totals. Null when the id is in neither.
Json study_detail(FeatureStore& store, const StudyCatalog& studies, const FeatureIndex& features, const std::string& id);

// A report's provenance in the Predictions shape ([{sentence, features: [{id, importance, description}]}]),
// descriptions filled in from the index where missing, plus `importance`: the features summed over
// sentences, strongest first.
Json annotate_report(const std::string& report, const Json& provenance, const FeatureIndex& features);

}  // namespace saerad::serve
