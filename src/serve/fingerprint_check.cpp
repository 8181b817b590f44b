#include "core/error.hpp"
#include "serve/report_pipeline.hpp"

namespace saerad::serve {

namespace {
void require_match(const std::filesystem::path& store, const std::map<std::string, std::string>& meta,
                   const std::string& key, const std::string& expected, const std::string& expected_from,
                   const std::string& hint) {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.empty())
    fail_input("{}: meta has no `{}` — the store cannot be checked against {} ({})", store, key, expected_from, hint);
  if (it->second != expected)
    fail_input("{}: made with {} `{}`, but {} is `{}` — refusing to show features of a different model ({})", store,
               key, it->second, expected_from, expected, hint);
}
}  // namespace

void check_store_fingerprints(const std::filesystem::path& store, const std::map<std::string, std::string>& meta,
                              const std::string& sae_fingerprint, const std::string& sae_embeddings_model,
                              const std::string& encoder_fingerprint) {
  require_match(store, meta, "sae_fingerprint", sae_fingerprint, "--sae",
                "pass the SAE the store was interpreted with, or re-run `saerad interpret`");
  require_match(store, meta, "embeddings_model", encoder_fingerprint, "the configured encoder",
                "pass the --model / --encoder the embeddings were made with");
  if (!sae_embeddings_model.empty() && sae_embeddings_model != encoder_fingerprint)
    fail_input("--sae was trained on embeddings of `{}`, but the configured encoder is `{}`", sae_embeddings_model,
               encoder_fingerprint);
}

}  // namespace saerad::serve
