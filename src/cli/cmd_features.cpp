// saerad features — browse a feature store: search descriptions, sort, show one feature in full.
#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_io.hpp"
#include "interp/feature_store.hpp"

namespace saerad::cli {
namespace {

struct FeaturesArgs {
  std::string store, search, sort = "id", show_interpretable;
  bool descending = false, scores = false;
  int64_t limit = 20, offset = 0, id = -1;
};

void print_feature(const FeatureRecord& f) {
  std::printf("%6lld  %-5s  density %.5f  score %s  %s\n", (long long)f.id,
              !f.interpretable ? "-" : *f.interpretable ? "yes" : "no", f.density,
              f.description_score ? fmt::format("{:.3f}", *f.description_score).c_str() : "  -  ",
              f.description.c_str());
}

Registration reg{{
    .name = "features",
    .summary = "Search, sort and show the features of a feature store",
    .group = Group::Interpret,
    .setup = [](CLI::App& cmd) -> Runner {
      auto a = std::make_shared<FeaturesArgs>();
      cmd.add_option("--features", a->store, "Feature store (features.db)")->required();
      cmd.add_option("--search", a->search, "Full-text search over descriptions (words, \"phrases\", prefix*)");
      cmd.add_option("--sort", a->sort, "id | density | mean | score | enrichment")->capture_default_str();
      cmd.add_flag("--desc", a->descending, "Sort descending");
      cmd.add_option("--interpretable", a->show_interpretable, "yes | no: filter");
      cmd.add_option("--limit", a->limit, "Rows to show (0 = all)")->capture_default_str();
      cmd.add_option("--offset", a->offset, "Rows to skip")->capture_default_str();
      cmd.add_option("--id", a->id, "Show one feature in full: examples, enrichment, histogram");
      cmd.add_flag("--scores", a->scores, "Print the description-score summary");
      return [a] {
        const FeatureStore store(a->store, FeatureStore::Mode::ReadOnly);
        if (a->scores) {
          const Json summary = store.score_summary().to_json();
          if (json_output())
            print_json(summary);
          else
            std::printf("%s\n", summary.dump(2).c_str());
          return;
        }
        if (a->id >= 0) {
          auto f = store.feature(a->id);
          if (!f) fail_input("{}: no feature {}", a->store, a->id);
          Json j = f->to_json();
          j["examples"] = Json::array();
          for (const auto& e : store.examples(a->id))
            j["examples"].push_back({{"rank", e.rank}, {"study_id", e.study_id}, {"activation", e.activation}});
          if (auto h = store.histogram(a->id)) j["histogram"] = h->to_json();
          if (json_output())
            print_json(j);
          else
            std::printf("%s\n", j.dump(2).c_str());
          return;
        }
        FeatureQuery q;
        q.search = a->search;
        q.sort = parse_feature_sort_key(a->sort);
        q.descending = a->descending;
        q.limit = a->limit;
        q.offset = a->offset;
        if (a->show_interpretable == "yes") q.interpretable = true;
        else if (a->show_interpretable == "no") q.interpretable = false;
        else if (!a->show_interpretable.empty()) fail_input("--interpretable {}: expected yes or no", a->show_interpretable);
        const FeaturePage page = store.query(q);
        if (json_output()) {
          Json items = Json::array();
          for (const auto& f : page.features) items.push_back(f.to_json());
          print_json({{"total", page.total}, {"offset", q.offset}, {"features", items}});
          return;
        }
        for (const auto& f : page.features) print_feature(f);
        std::printf("(%zu of %lld)\n", page.features.size(), (long long)page.total);
      };
    },
}};

}  // namespace
}  // namespace saerad::cli
