#include "core/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/strings.hpp"

namespace saerad {

namespace {

constexpr double kLeft = 70, kRight = 150, kTop = 40, kBottom = 50;  // margins (legend on the right)
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  return a >= 1e4 || a < 1e-2 ? fmt::format("{:.1e}", v) : fmt::format("{:.3g}", v);
}

// Axes, frame, title and labels for data ranges [x0,x1] × [y0,y1] (y in plotted units: log10 when log_y).
struct Frame {
  double x0, x1, y0, y1, w, h;
  bool log_y;
  double px(double x) const { return kLeft + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (w - kLeft - kRight); }
  double py(double y) const { return h - kBottom - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (h - kTop - kBottom); }

  std::string render(const std::string& title, const std::string& x_label, const std::string& y_label) const {
    std::string s = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        w, h);
    s += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n", (kLeft + w - kRight) / 2, html_escape(title));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", kLeft, kTop,
                     w - kLeft - kRight, h - kTop - kBottom);
    for (int t = 0; t <= 4; ++t) {
      const double xv = x0 + (x1 - x0) * t / 4.0, yv = y0 + (y1 - y0) * t / 4.0;
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px(xv), h - kBottom + 16, tick_label(xv));
      s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", kLeft, w - kRight, py(yv), py(yv));
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 6, py(yv) + 4,
                       tick_label(log_y ? std::pow(10.0, yv) : yv));
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", (kLeft + w - kRight) / 2, h - 12, html_escape(x_label));
    s += fmt::format("<text x=\"16\" y=\"{:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1f})\">{}</text>\n",
                     (kTop + h - kBottom) / 2, (kTop + h - kBottom) / 2, html_escape(y_label + (log_y ? " (log)" : "")));
    return s;
  }
};

void widen(double& lo, double& hi) {
  if (!(lo < hi)) {
    lo -= 0.5;
    hi += 0.5;
  }
}

}  // namespace

std::string render_line_plot_svg(const LinePlot& plot) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto usable = [&](double x, double y) { return std::isfinite(x) && std::isfinite(y) && (!plot.log_y || y > 0); };
  for (const auto& s : plot.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i])) {
        const double y = plot.log_y ? std::log10(s.y[i]) : s.y[i];
        x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]), y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  widen(x0, x1);
  widen(y0, y1);
  const Frame frame{x0, x1, y0, y1, double(plot.width), double(plot.height), plot.log_y};
  std::string svg = frame.render(plot.title, plot.x_label, plot.y_label);
  for (size_t k = 0; k < plot.series.size(); ++k) {
    const auto& s = plot.series[k];
    const char* color = kColors[k % std::size(kColors)];
    std::string points;
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i]))
        points += fmt::format("{:.1f},{:.1f} ", frame.px(s.x[i]), frame.py(plot.log_y ? std::log10(s.y[i]) : s.y[i]));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n", color, points);
    const double ly = kTop + 14 + 18.0 * double(k);
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"3\"/>\n",
                       plot.width - kRight + 10, plot.width - kRight + 30, ly, color);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", plot.width - kRight + 35, ly + 4, html_escape(s.name));
  }
  return svg + "</svg>\n";
}

std::string render_histogram_svg(const HistogramPlot& plot) {
  double lo = plot.lo, hi = plot.hi;
  if (!(lo < hi)) {
    lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : plot.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    widen(lo, hi);
  }
  const int bins = std::max(1, plot.bins);
  std::vector<double> counts(size_t(bins), 0.0);
  for (double v : plot.values) {
    if (!std::isfinite(v) || v < lo || v > hi) continue;
    const int b = std::min(bins - 1, int((v - lo) / (hi - lo) * bins));
    counts[size_t(b)] += 1;
  }
  const double top = std::max(1.0, *std::max_element(counts.begin(), counts.end()));
  const Frame frame{lo, hi, 0, top, double(plot.width), double(plot.height), false};
  std::string svg = frame.render(plot.title, plot.x_label, plot.y_label);
  for (int b = 0; b < bins; ++b) {
    const double xa = frame.px(lo + (hi - lo) * b / bins), xb = frame.px(lo + (hi - lo) * (b + 1) / bins);
    const double ya = frame.py(counts[size_t(b)]), yb = frame.py(0);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"white\"/>\n", xa, ya,
                       std::max(0.0, xb - xa), std::max(0.0, yb - ya), kColors[0]);
  }
  return svg + "</svg>\n";
}

}  // namespace saerad
