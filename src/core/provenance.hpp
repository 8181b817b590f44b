#pragma once
// Provenance recorded in every output: saerad version + git hash, the command line, the seed, the thread
// count, the time, and fingerprints of the inputs.
#include <cstdint>
#include <optional>
#include <string>

#include "core/json_io.hpp"

namespace saerad {

void set_command_line(int argc, const char* const* argv);  // called once by main()
const std::string& command_line();
std::string version_string();  // "0.1.0 (git 1a2b3c4d5e6f)"
std::string utc_timestamp();   // ISO 8601, seconds

struct Provenance {
  std::optional<uint64_t> seed;
  Json inputs = Json::object();  // name → fingerprint (or any JSON describing the input)

  Provenance& input(const std::string& name, Json fingerprint) {
    inputs[name] = std::move(fingerprint);
    return *this;
  }
  Json to_json() const;
  std::string dump() const { return to_json().dump(); }  // for safetensors metadata "provenance"
};

}  // namespace saerad
