#pragma once
// Small, dependency-free SVG charts for run outputs (training curves, histograms): line plots with a linear
// or log10 y axis, and histograms. Non-finite points (and non-positive ones on a log axis) are skipped.
#include <string>
#include <vector>

namespace saerad {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
};

struct LinePlot {
  std::string title, x_label, y_label;
  bool log_y = false;
  std::vector<PlotSeries> series;
  int width = 720, height = 420;
};

struct HistogramPlot {
  std::string title, x_label, y_label = "count";
  std::vector<double> values;
  int bins = 40;
  double lo = 0, hi = 0;  // range; lo == hi: the data's min..max
  int width = 720, height = 420;
};

std::string render_line_plot_svg(const LinePlot& plot);
std::string render_histogram_svg(const HistogramPlot& plot);

}  // namespace saerad
