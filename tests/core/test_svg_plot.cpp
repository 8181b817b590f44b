// The SVG plotting helper: well-formed documents, one polyline per series, log axes skip non-positive
// points, histograms count every in-range value into one bar.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "core/svg_plot.hpp"

namespace saerad {
namespace {

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(SvgPlot, LinePlotHasOnePolylinePerSeriesAndEscapesText) {
  LinePlot plot{"loss <train>", "step", "loss", true,
                {{"a & b", {1, 2, 3}, {10, 1, 0.1}}, {"c", {1, 2, 3}, {5, -1, NAN}}}};
  const std::string svg = render_line_plot_svg(plot);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 2);
  EXPECT_NE(svg.find("loss &lt;train&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  // series "c" keeps only its one positive finite point on the log axis
  const auto second = svg.find("points=\"", svg.find("<polyline", svg.find("<polyline") + 1));
  const std::string points = svg.substr(second + 8, svg.find('"', second + 8) - second - 8);
  EXPECT_EQ(count(points, ","), 1) << points;
}

TEST(SvgPlot, HistogramCountsValuesIntoBars) {
  HistogramPlot h{"density", "log10 rate", "features", {-9.5, -2.2, -2.1, -0.5, 5.0}, 10, -10.0, 0.0};
  const std::string svg = render_histogram_svg(h);
  EXPECT_EQ(count(svg, "<rect x="), 1 + 10);  // the frame + one bar per bin
  std::smatch m;
  double tallest = 0;
  std::regex bar("height=\"([0-9.]+)\" fill=\"#1f77b4\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it)
    tallest = std::max(tallest, std::stod((*it)[1]));
  EXPECT_GT(tallest, 0);  // the bin holding two values reaches the top of the axis
}

}  // namespace
}  // namespace saerad
