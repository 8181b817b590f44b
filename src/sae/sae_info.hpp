#pragma once
// `saerad info`: what an SAE directory holds — architecture, sizes, hyper-parameters, final metrics and a
// density summary (dead/dense counts and a text histogram of log10 firing rates).
#include <filesystem>
#include <string>

#include "core/json_io.hpp"

namespace saerad {

Json sae_info(const std::filesystem::path& dir);
std::string format_sae_info(const Json& info);

}  // namespace saerad
