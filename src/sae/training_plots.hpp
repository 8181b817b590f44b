#pragma once
// The plots of a training run, as SVG files in the SAE directory: loss.svg (loss terms, log y), l0.svg
// (L0 and dead fraction over training), density.svg (histogram of log10 feature firing rates).
#include <filesystem>
#include <span>
#include <vector>

#include "core/json_io.hpp"

namespace saerad {

void write_training_plots(const std::filesystem::path& dir, const std::vector<Json>& log_entries,
                          std::span<const float> log10_density);

}  // namespace saerad
