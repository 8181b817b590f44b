#pragma once
// What POST /api/report runs on an uploaded image: the configured encoder → the SAE → the report generator,
// returning the report in the Predictions shape of docs/formats.md ({"report", "provenance": [...]}).
// The server holds it behind this interface so it never needs to know which encoder or composer is used.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/json_io.hpp"
#include "vision/image.hpp"

namespace saerad::serve {

class ReportPipeline {
 public:
  virtual ~ReportPipeline() = default;
  virtual std::string encoder_fingerprint() const = 0;
  virtual std::string sae_fingerprint() const = 0;
  virtual std::string sae_embeddings_model() const = 0;  // what the SAE was trained on ("" when unknown)
  // Not called concurrently (the server serialises uploads: the encoder owns scratch buffers).
  virtual Json report(const Image& image) = 0;
};

// Refuses to serve a store made with a different SAE or encoder: `meta` is the store's meta table.
// Throws InputError naming the store, the key, and both values (and how to fix it).
void check_store_fingerprints(const std::filesystem::path& store, const std::map<std::string, std::string>& meta,
                              const std::string& sae_fingerprint, const std::string& sae_embeddings_model,
                              const std::string& encoder_fingerprint);

}  // namespace saerad::serve
