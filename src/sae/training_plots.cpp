#include "sae/training_plots.hpp"

#include "core/atomic_file.hpp"
#include "core/svg_plot.hpp"

namespace saerad {

namespace {
PlotSeries series_of(const std::vector<Json>& entries, const char* key, std::string name) {
  PlotSeries s{std::move(name), {}, {}};
  for (const Json& e : entries) {
    if (!e.contains(key) || !e[key].is_number()) continue;
    s.x.push_back(e.value("step", 0.0));
    s.y.push_back(e[key].get<double>());
  }
  return s;
}
}  // namespace

void write_training_plots(const std::filesystem::path& dir, const std::vector<Json>& entries,
                          std::span<const float> log10_density) {
  LinePlot loss{"Training loss", "step", "loss (batch mean)", true,
                {series_of(entries, "loss", "loss"), series_of(entries, "mse", "mse"),
                 series_of(entries, "sparsity_loss", "sparsity"), series_of(entries, "aux_loss", "aux")}};
  write_file_atomic(dir / "loss.svg", render_line_plot_svg(loss));
  LinePlot l0{"L0 (active latents per sample)", "step", "L0", false, {series_of(entries, "l0", "L0")}};
  write_file_atomic(dir / "l0.svg", render_line_plot_svg(l0));
  LinePlot dead{"Dead latents", "step", "fraction", false, {series_of(entries, "dead_fraction", "dead fraction")}};
  write_file_atomic(dir / "dead.svg", render_line_plot_svg(dead));
  HistogramPlot density{"Feature density (training split)", "log10 firing rate", "features", {}, 50, -10.0, 0.0};
  density.values.assign(log10_density.begin(), log10_density.end());
  write_file_atomic(dir / "density.svg", render_histogram_svg(density));
}

}  // namespace saerad
