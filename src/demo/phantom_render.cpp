#include "demo/phantom_render.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace saerad::demo {

namespace {

// Geometry is in image-fraction units: u across (0 = image left = the patient's right), v down. `d` is the
// distance from the midline towards one side's lateral chest wall; `side` −1 is the patient's right.
struct Point {
  double u, v;
};

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
double smoothstep(double e0, double e1, double x) {
  const double t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}
double lerp(double a, double b, double t) { return a + (b - a) * t; }
double sq(double x) { return x * x; }

// A float canvas the size of the output; strokes are rasterised into it in pixel units.
struct Layer {
  int size;
  std::vector<float> value;
  explicit Layer(int n) : size(n), value(size_t(n) * size_t(n), 0.0f) {}
  float at(int x, int y) const { return value[size_t(y) * size_t(size) + size_t(x)]; }
};

// Where a point of the anatomy lands in the image: the patient's rotation about the image centre.
struct Projection {
  double cos_t, sin_t;
  int size;
  Point to_pixel(Point p) const {
    const double du = p.u - 0.5, dv = p.v - 0.5;
    return {(0.5 + cos_t * du - sin_t * dv) * size, (0.5 + sin_t * du + cos_t * dv) * size};
  }
  Point to_anatomy(double px, double py) const {
    const double du = px / size - 0.5, dv = py / size - 0.5;
    return {0.5 + cos_t * du + sin_t * dv, 0.5 - sin_t * du + cos_t * dv};
  }
};

// Draws a polyline (anatomy coordinates) of half-width `radius` (image fraction) with peak `intensity`,
// keeping the maximum where strokes overlap. Anti-aliased over about one pixel.
void stroke(Layer& layer, const Projection& proj, const std::vector<Point>& line, double radius, double intensity) {
  const double r = std::max(0.5, radius * layer.size);
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const Point a = proj.to_pixel(line[i]), b = proj.to_pixel(line[i + 1]);
    const int x0 = std::max(0, int(std::floor(std::min(a.u, b.u) - r - 2)));
    const int x1 = std::min(layer.size - 1, int(std::ceil(std::max(a.u, b.u) + r + 2)));
    const int y0 = std::max(0, int(std::floor(std::min(a.v, b.v) - r - 2)));
    const int y1 = std::min(layer.size - 1, int(std::ceil(std::max(a.v, b.v) + r + 2)));
    const double ex = b.u - a.u, ey = b.v - a.v, len2 = std::max(1e-12, ex * ex + ey * ey);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double px = x + 0.5 - a.u, py = y + 0.5 - a.v;
        const double t = clamp01((px * ex + py * ey) / len2);
        const double dist = std::hypot(px - t * ex, py - t * ey);
        const double cover = 1.0 - smoothstep(r - 0.75, r + 0.75, dist);
        float& v = layer.value[size_t(y) * size_t(layer.size) + size_t(x)];
        v = std::max(v, float(cover * intensity));
      }
  }
}

// A smooth curve through control points (Catmull–Rom), sampled densely enough for strokes.
std::vector<Point> spline(const std::vector<Point>& pts, int per_segment = 12) {
  std::vector<Point> out;
  for (size_t i = 0; i + 1 < pts.size(); ++i) {
    const Point p0 = pts[i == 0 ? 0 : i - 1], p1 = pts[i], p2 = pts[i + 1], p3 = pts[std::min(i + 2, pts.size() - 1)];
    for (int k = 0; k < per_segment; ++k) {
      const double t = double(k) / per_segment, t2 = t * t, t3 = t2 * t;
      auto f = [&](double a, double b, double c, double d) {
        return 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      };
      out.push_back({f(p0.u, p1.u, p2.u, p3.u), f(p0.v, p1.v, p2.v, p3.v)});
    }
  }
  out.push_back(pts.back());
  return out;
}

// Smooth value noise on a coarse grid (lung parenchyma mottle, patchy consolidation).
struct ValueNoise {
  int grid;
  std::vector<float> values;
  ValueNoise(Rng& rng, int g) : grid(g), values(size_t(g + 1) * size_t(g + 1)) {
    for (auto& v : values) v = float(rng.uniform(-1.0, 1.0));
  }
  double at(double u, double v) const {
    const double x = clamp01(u) * (grid - 1e-9), y = clamp01(v) * (grid - 1e-9);
    const int ix = int(x), iy = int(y);
    const double fx = smoothstep(0, 1, x - ix), fy = smoothstep(0, 1, y - iy);
    auto g = [&](int a, int b) { return double(values[size_t(b) * size_t(grid + 1) + size_t(a)]); };
    return lerp(lerp(g(ix, iy), g(ix + 1, iy), fx), lerp(g(ix, iy + 1), g(ix + 1, iy + 1), fx), fy);
  }
};

struct Geometry {
  const PhantomStudy& study;
  double s, cx, thorax, apex, heart_w, heart_cx, heart_cv, heart_h, carina;
  double dome[2];  // dome height per side (0 = the patient's right)

  explicit Geometry(const PhantomStudy& st) : study(st) {
    const Anatomy& a = st.anatomy;
    s = a.scale;
    cx = a.center_x;
    thorax = 0.35 * s;
    apex = a.apex;
    dome[0] = a.diaphragm;
    dome[1] = a.diaphragm + 0.025;
    const auto& atel = st.finding(Finding::kAtelectasis);
    if (atel.present && atel.severity == Severity::kSevere) {  // volume loss elevates the hemidiaphragm
      if (atel.side != Side::kLeft) dome[0] -= 0.025;
      if (atel.side != Side::kRight) dome[1] -= 0.025;
    }
    heart_w = a.heart_width * 2 * thorax;
    heart_cx = cx + 0.14 * heart_w;
    heart_h = 0.12 * s * (0.85 + 0.35 * a.heart_width);
    heart_cv = a.diaphragm - 0.06;
    carina = apex + 0.21;
  }
  static int side_index(int side) { return side < 0 ? 0 : 1; }
  // The side's point at distance d from the midline, height v.
  Point at(int side, double d, double v) const { return {cx + side * d, v}; }
  double dome_height(int side, double d) const {
    const double dc = 0.45 * thorax, top = dome[side_index(side)];
    if (d > dc) return top + 0.11 * sq((std::min(d, thorax) - dc) / (thorax - dc));
    return top + 0.03 * sq((dc - d) / dc);
  }
  double lung_lateral(double v) const {
    const double d0 = 0.14 * s;
    return d0 + (thorax - d0) * std::sqrt(clamp01((v - apex) / 0.3));
  }
  // Signed margin (positive inside) of the lung field, and the lateral/top part alone (pneumothorax rim).
  double lung_margin(int side, double d, double v, double* rim_margin = nullptr) const {
    const double d0 = 0.14 * s;
    const double lateral = lung_lateral(v) - d;
    const double top = v - (apex + 3.0 * sq(std::max(0.0, d0 - d)));
    const double bottom = dome_height(side, d) - v;
    const double medial = d - 0.03;
    if (rim_margin) *rim_margin = std::min(lateral, 1.2 * top);
    return std::min(std::min(lateral, top), std::min(bottom, medial));
  }
  // Height of the zone (upper/middle/lower) at fraction f within it, for lesion placement.
  double zone_height(int side, Zone zone, double f) const {
    const double base[3] = {0.2, 0.47, 0.74};
    return apex + (base[int(zone)] + 0.14 * (f - 0.5)) * (dome[side_index(side)] - apex);
  }
};

std::vector<int> sides_of(Side side) {
  if (side == Side::kBilateral) return {-1, 1};
  return {side == Side::kRight ? -1 : 1};
}

// Pulmonary vessels: a branching tree from each hilum, tapering outwards.
void draw_vessels(Layer& layer, const Projection& proj, const Geometry& g, Rng& rng) {
  struct Branch {
    Point p;
    double angle, width, length;
    int depth;
  };
  for (int side : {-1, 1}) {
    std::vector<Branch> stack;
    const Point hilum = g.at(side, 0.085 * g.s, g.apex + 0.25);
    for (int k = 0; k < 5; ++k) {
      // angle measured from "straight lateral", negative upwards
      const double angle = -1.25 + 0.62 * k + rng.uniform(-0.15, 0.15);
      stack.push_back({hilum, angle, 0.0075 * g.s, 0.065 * g.s, 0});
    }
    while (!stack.empty()) {
      Branch b = stack.back();
      stack.pop_back();
      const double bend = rng.uniform(-0.25, 0.25);
      const Point mid = {b.p.u + side * std::cos(b.angle) * b.length * 0.5, b.p.v + std::sin(b.angle) * b.length * 0.5};
      const double a2 = b.angle + bend;
      const Point end = {mid.u + side * std::cos(a2) * b.length * 0.5, mid.v + std::sin(a2) * b.length * 0.5};
      stroke(layer, proj, {b.p, mid, end}, b.width, 0.9 - 0.18 * b.depth);
      if (b.depth < 4)
        for (int c = 0; c < 2; ++c)
          stack.push_back({end, a2 + (c == 0 ? -1 : 1) * rng.uniform(0.2, 0.5), b.width * 0.72,
                           b.length * rng.uniform(0.65, 0.85), b.depth + 1});
    }
  }
}

// Devices: leads, lines and tubes (the pacemaker generator itself is drawn per pixel).
void draw_devices(Layer& metal, Layer& plastic, const Projection& proj, const Geometry& g) {
  const PhantomStudy& st = g.study;
  const double cx = g.cx, s = g.s;
  if (st.has(Finding::kPacemaker)) {
    const auto& pm = st.finding(Finding::kPacemaker);
    const int side = pm.side == Side::kLeft ? 1 : -1;
    const Point gen = g.at(side, 0.24 * s, g.apex + 0.085);
    const Point subclavian = g.at(side, 0.11 * s, g.apex + 0.075);
    const Point svc = {cx - 0.035 * s, g.apex + 0.17};
    const Point ra = {cx - 0.045 * s, g.heart_cv - 0.07};
    const Point rv_apex = {g.heart_cx + 0.32 * g.heart_w, g.heart_cv + 0.03};
    stroke(metal, proj, spline({gen, subclavian, svc, ra, {cx + 0.02, g.heart_cv}, rv_apex}), 0.0032, 0.93);
    if (pm.variant == 1)  // dual chamber: a second lead hooks into the right atrial appendage
      stroke(metal, proj, spline({gen, subclavian, svc, ra, {cx - 0.01, g.heart_cv - 0.11}, {cx + 0.01, g.heart_cv - 0.09}}),
             0.0032, 0.93);
  }
  if (st.has(Finding::kEndotrachealTube)) {
    const double tip = g.carina - 0.035 - 0.03 * st.finding(Finding::kEndotrachealTube).y;
    const std::vector<Point> tube = {{cx + 0.003, -0.05}, {cx + 0.002, tip}};
    stroke(plastic, proj, {{cx - 0.0075, -0.05}, {cx - 0.0075, tip}}, 0.003, 0.6);
    stroke(plastic, proj, {{cx + 0.0115, -0.05}, {cx + 0.0115, tip}}, 0.003, 0.6);
    stroke(metal, proj, tube, 0.0035, 0.9);  // radio-opaque stripe
  }
  if (st.has(Finding::kCentralLine)) {
    const auto& cl = st.finding(Finding::kCentralLine);
    const double tip = g.apex + 0.2 + 0.05 * cl.y;
    std::vector<Point> path;
    if (cl.variant == 0)  // right internal jugular
      path = {{cx - 0.07, -0.02}, {cx - 0.055, g.apex - 0.02}, {cx - 0.035 * s, g.apex + 0.09}, {cx - 0.03 * s, tip}};
    else if (cl.variant == 1)  // left subclavian
      path = {g.at(1, 0.30 * s, g.apex + 0.02), g.at(1, 0.15 * s, g.apex + 0.06), {cx + 0.01, g.apex + 0.09},
              {cx - 0.03 * s, g.apex + 0.13}, {cx - 0.03 * s, tip}};
    else  // right arm PICC
      path = {g.at(-1, 0.49, g.apex + 0.07), g.at(-1, 0.34 * s, g.apex + 0.04), g.at(-1, 0.14 * s, g.apex + 0.06),
              {cx - 0.035 * s, g.apex + 0.11}, {cx - 0.03 * s, tip}};
    stroke(metal, proj, spline(path), 0.0035, 0.86);
  }
  if (st.has(Finding::kNasogastricTube)) {
    const double dome = g.dome[1];
    stroke(metal, proj,
           spline({{cx + 0.004, -0.05}, {cx + 0.006, g.carina}, {cx + 0.02, dome - 0.05}, {cx + 0.06, dome + 0.04},
                   {cx + 0.15 * s, dome + 0.07}, {cx + 0.19 * s, dome + 0.04}}),
           0.0045, 0.85);
  }
}

// Findings drawn as strokes: Kerley B lines, atelectatic bands, air bronchograms.
void draw_linear_findings(Layer& opaque, Layer& lucent, const Projection& proj, const Geometry& g, Rng& rng) {
  const PhantomStudy& st = g.study;
  if (st.has(Finding::kEdema)) {
    const int count = std::array{3, 6, 9}[int(st.finding(Finding::kEdema).severity)];
    for (int side : {-1, 1})
      for (int k = 0; k < count; ++k) {
        const double v = g.dome[Geometry::side_index(side)] - rng.uniform(0.02, 0.13);
        const double edge = g.lung_lateral(v) - 0.004;
        const double len = rng.uniform(0.018, 0.032);
        stroke(opaque, proj, {g.at(side, edge, v), g.at(side, edge - len, v + rng.uniform(-0.003, 0.003))}, 0.0016, 0.8);
      }
  }
  if (st.has(Finding::kAtelectasis)) {
    const auto& at = st.finding(Finding::kAtelectasis);
    const double width = std::array{0.008, 0.012, 0.016}[int(at.severity)];
    for (int side : sides_of(at.side)) {
      const double v = g.zone_height(side, at.zone, at.y);
      const double d0 = 0.08 + 0.08 * at.x, d1 = d0 + 0.10 + 0.04 * at.x, tilt = 0.015 * (at.x - 0.3);
      stroke(opaque, proj, spline({g.at(side, d0, v - tilt), g.at(side, (d0 + d1) / 2, v + 0.004), g.at(side, d1, v + tilt)}),
             width, 1.0);
    }
  }
  if (st.has(Finding::kConsolidation)) {
    const auto& c = st.finding(Finding::kConsolidation);
    for (int side : sides_of(c.side)) {
      const double v = g.zone_height(side, c.zone, c.y), d = (0.32 + 0.3 * c.x) * g.thorax;
      for (int k = 0; k < 3; ++k) {
        const double a = rng.uniform(-0.6, 0.6);
        const Point p0 = g.at(side, d - 0.02, v + 0.01 * (k - 1));
        const Point p1 = {p0.u + side * 0.035 * std::cos(a), p0.v + 0.035 * std::sin(a)};
        stroke(lucent, proj, {p0, p1}, 0.0018, 1.0);
      }
    }
  }
}

}  // namespace

Image render_phantom(const PhantomStudy& study, int size) {
  const Anatomy& an = study.anatomy;
  const Geometry g(study);
  const Projection proj{std::cos(an.rotation), std::sin(an.rotation), size};
  Rng rng = Rng(an.texture_seed);
  Rng noise_rng = rng.split(1), layout_rng = rng.split(2);
  const ValueNoise mottle(layout_rng, 24), patches(layout_rng, 10);

  Layer vessels(size), opaque(size), lucent(size), metal(size), plastic(size);
  draw_vessels(vessels, proj, g, layout_rng);
  draw_linear_findings(opaque, lucent, proj, g, layout_rng);
  draw_devices(metal, plastic, proj, g);

  const auto& F = study.findings;
  auto present = [&](Finding f) { return F[size_t(f)].present; };
  auto covers = [&](Finding f, int side) {
    const Side s = F[size_t(f)].side;
    return present(f) && (s == Side::kBilateral || (s == Side::kRight) == (side < 0));
  };
  const double s = g.s, cx = g.cx, TW = g.thorax;
  const double bone_gain = an.bone_density;

  std::vector<float> out(size_t(size) * size_t(size));
  for (int py = 0; py < size; ++py)
    for (int px = 0; px < size; ++px) {
      const Point p = proj.to_anatomy(px + 0.5, py + 0.5);
      const double u = p.u, v = p.v;
      const int side = u < cx ? -1 : 1;
      const double d = std::abs(u - cx);

      // Body outline (neck, shoulders, chest wall, abdomen) with a thickness profile.
      const double body_half = TW + 0.05 + 0.07 * (1 - smoothstep(0.08, 0.32, v));
      const double top = d < 0.075 ? -1.0 : 0.035 + 0.8 * sq(d - 0.075);
      const double body = smoothstep(0, 0.01, body_half - d) * smoothstep(0, 0.01, v - top);
      double I = lerp(0.03, 0.30 + 0.32 * std::sqrt(clamp01(1 - sq(d / body_half))), body);

      // Lung fields.
      double rim = 0;
      const double margin = g.lung_margin(side, d, v, &rim);
      const double air = smoothstep(-0.004, 0.012, margin) * body;
      const double frac = clamp01((v - g.apex) / (g.dome[Geometry::side_index(side)] - g.apex));
      double lung_tone = 0.16 + 0.12 * frac + 0.07 * (1 - d / TW) + 0.03 * mottle.at(u, v);
      I = lerp(I, lung_tone, air);

      // Pneumothorax: a rim without lung markings, bounded by the visceral pleural line.
      double ptx = 0;
      if (covers(Finding::kPneumothorax, side)) {
        const double R = std::array{0.022, 0.04, 0.07}[int(F[size_t(Finding::kPneumothorax)].severity)] * s;
        const double r = R * (1.4 - 0.9 * frac);
        ptx = (1 - smoothstep(r - 0.002, r + 0.002, rim)) * air;
        I -= 0.045 * ptx;
        I += 0.12 * std::exp(-sq((rim - r) / 0.0018)) * air;
      }

      // Vessel markings and hila (absent where the lung has collapsed away from the chest wall).
      const double vessel = vessels.at(px, py);
      I += 0.10 * vessel * air * (1 - ptx);
      I += 0.10 * std::exp(-(sq(d - 0.085 * s) + sq(v - g.apex - 0.25)) / (2 * sq(0.028))) * body;

      // Perihilar haze of pulmonary oedema (bat-wing), with reticular texture.
      if (present(Finding::kEdema)) {
        const double sev = std::array{0.3, 0.45, 0.6}[int(F[size_t(Finding::kEdema)].severity)];
        const double haze = std::exp(-sq(d - 0.11 * s) / (2 * sq(0.075)) - sq(v - g.apex - 0.27) / (2 * sq(0.12)));
        I = lerp(I, 0.56 + 0.05 * mottle.at(v * 3, u * 3), sev * haze * air);
      }

      // Consolidation: patchy airspace opacity in a zone.
      if (present(Finding::kConsolidation) && covers(Finding::kConsolidation, side)) {
        const auto& c = F[size_t(Finding::kConsolidation)];
        const double cv = g.zone_height(side, c.zone, c.y), cd = (0.32 + 0.3 * c.x) * TW;
        const double R = std::array{0.06, 0.085, 0.115}[int(c.severity)] * s;
        const double blob = std::exp(-(sq(d - cd) + sq(v - cv) * 1.4) / (2 * sq(R)));
        const double patch = clamp01(1.6 * blob + 0.5 * patches.at(u * 1.7, v * 1.7) * blob);
        I = lerp(I, 0.6, 0.8 * patch * air);
      }

      // Nodule or mass.
      if (present(Finding::kNodule) && covers(Finding::kNodule, side)) {
        const auto& n = F[size_t(Finding::kNodule)];
        const double nv = g.zone_height(side, n.zone, n.y), nd = (0.35 + 0.45 * n.x) * TW;
        double r = std::array{0.014, 0.022, 0.042}[int(n.severity)] * s;
        const double theta = std::atan2(v - nv, d - nd);
        if (n.severity == Severity::kSevere) r *= 1 + 0.14 * std::sin(5 * theta + 7 * n.x);  // lobulated mass
        const double dist = std::hypot(d - nd, v - nv);
        I = lerp(I, 0.66, 0.85 * (1 - smoothstep(r - 0.003, r + 0.003, dist)) * body);
      }

      // Mediastinum (with the aortic knob on the left), trachea.
      const double med_half = 0.058 * s + (side > 0 ? 0.028 * std::exp(-sq((v - g.apex - 0.13) / 0.03)) : 0.0);
      const double med = (1 - smoothstep(med_half - 0.006, med_half + 0.006, d)) * smoothstep(g.apex - 0.1, g.apex, v) * body;
      I = lerp(I, 0.70, med);
      const double trachea = (1 - smoothstep(0.010, 0.015, d)) * smoothstep(0.0, 0.04, v) * (1 - smoothstep(g.carina - 0.01, g.carina, v));
      I -= 0.10 * trachea;

      // Heart.
      const double hu = u - g.heart_cx, hv = v - g.heart_cv;  // long axis tilted down to the left
      const double e = sq((0.94 * hu - 0.34 * hv) / (0.55 * g.heart_w)) + sq((0.34 * hu + 0.94 * hv) / g.heart_h);
      const double heart = (1 - smoothstep(0.9, 1.06, e)) * body;
      I = lerp(I, 0.70, heart);

      // Diaphragm domes and the abdomen below them; gastric bubble under the left dome.
      const double below = smoothstep(-0.004, 0.008, v - g.dome_height(side, std::min(d, TW))) * body;
      I = lerp(I, 0.66 + 0.06 * clamp01((v - g.dome[0]) / 0.2), below);
      const double gastric = sq((u - cx - 0.15 * s) / 0.05) + sq((v - g.dome[1] - 0.045) / 0.028);
      I -= 0.17 * (1 - smoothstep(0.7, 1.0, gastric)) * below;

      // Pleural effusion: dependent fluid with a meniscus, blunting the costophrenic angle.
      if (covers(Finding::kPleuralEffusion, side)) {
        const double H = std::array{0.05, 0.1, 0.17}[int(F[size_t(Finding::kPleuralEffusion)].severity)];
        const double level = g.dome_height(side, 0.5 * TW) - H;
        const double meniscus = level - 0.06 * sq(d / TW);
        const double fluid = smoothstep(-0.004, 0.03, v - meniscus) * smoothstep(0.03, 0.05, d) *
                             (1 - smoothstep(TW - 0.005, TW + 0.01, d)) * (1 - below);
        I = lerp(I, 0.63, 0.88 * fluid * body);
      }

      // Bones: spine, posterior and anterior ribs, clavicles, humeral heads.
      double bone = 0;
      if (d < 0.034 * s) {
        const double period = 0.046 * s, phase = std::fmod(v + 10 * period, period) / period;
        bone += 0.025 + 0.025 * smoothstep(0.1, 0.2, phase) * (1 - smoothstep(0.8, 0.9, phase));
        bone += 0.025 * std::exp(-(sq(d - 0.02 * s) + sq((phase - 0.5) * period)) / (2 * sq(0.006)));
      }
      const auto& frac_f = F[size_t(Finding::kRibFracture)];
      const bool fractured_side = covers(Finding::kRibFracture, side);
      for (int k = 0; k < 10; ++k) {  // posterior ribs: near-horizontal, curving down laterally
        if (d < 0.02 || d > TW + 0.035) continue;
        double rib_v = g.apex - 0.025 + k * (g.dome[0] - g.apex + 0.05) / 9.5 + 0.12 * sq(d / TW) - 0.02 * d / TW;
        const double half = 0.0085 * s;
        double keep = smoothstep(0.02, 0.035, d) * (1 - smoothstep(TW + 0.01, TW + 0.035, d));
        if (fractured_side && k == frac_f.variant) {
          const double fd = (0.35 + 0.4 * frac_f.x) * TW;
          const double gap = std::array{0.0025, 0.004, 0.006}[int(frac_f.severity)];
          if (d > fd) rib_v += std::array{0.003, 0.005, 0.008}[int(frac_f.severity)];
          keep *= smoothstep(gap * 0.5, gap, std::abs(d - fd));
        }
        const double dist = std::abs(v - rib_v);
        if (dist > half + 0.004) continue;
        bone += keep * (0.15 + 0.85 * air) * (0.055 * (1 - smoothstep(half - 0.002, half + 0.002, dist)) +
                        0.045 * std::exp(-sq((dist - half + 0.0015) / 0.0013)));
      }
      for (int k = 0; k < 6; ++k) {  // anterior ribs: fainter, sloping down towards the midline
        if (d < 0.08 || d > TW + 0.02) continue;
        const double rib_v = g.apex + 0.035 + k * 0.075 * s + 0.12 * std::pow(clamp01((TW - d) / TW), 1.3);
        const double dist = std::abs(v - rib_v), half = 0.0105 * s;
        bone += 0.03 * air * smoothstep(0.08, 0.14, d) * (1 - smoothstep(half - 0.003, half + 0.003, dist));
      }
      {  // clavicle
        const double len = 0.28 * s, t = d / len;
        if (t < 1.05) {
          const double cl_v = g.apex + 0.035 - 0.08 * t + 0.018 * std::sin(std::numbers::pi * t);
          const double dist = std::abs(v - cl_v), half = 0.011 * s;
          bone += (1 - smoothstep(0.95, 1.05, t)) * (0.13 * (1 - smoothstep(half - 0.002, half + 0.002, dist)) +
                                                    0.05 * std::exp(-sq((dist - half + 0.0015) / 0.0015)));
        }
      }
      {  // humeral heads at the shoulders
        const double r = std::hypot(d - TW - 0.085, v - g.apex - 0.04);
        bone += 0.14 * (1 - smoothstep(0.05 * s - 0.004, 0.05 * s + 0.004, r)) * body;
      }
      I += bone * bone_gain * body;

      // Linear findings and devices.
      I += 0.2 * opaque.at(px, py) * body;
      I -= 0.06 * lucent.at(px, py) * air;
      if (present(Finding::kPacemaker)) {
        const int pm_side = F[size_t(Finding::kPacemaker)].side == Side::kLeft ? 1 : -1;
        const Point gen = g.at(pm_side, 0.24 * s, g.apex + 0.085);
        const double bx = std::abs(u - gen.u) / 0.034, by = std::abs(v - gen.v) / 0.024;
        const double box = std::pow(std::pow(bx, 4) + std::pow(by, 4), 0.25);  // rounded rectangle
        const double can = 1 - smoothstep(0.93, 1.05, box);
        I = lerp(I, box < 0.55 ? 0.9 : 0.97, can);
      }
      I = std::max(I, 0.0 + plastic.at(px, py) * (0.35 + I));
      I = std::max(I, double(metal.at(px, py)));
      out[size_t(py) * size_t(size) + size_t(px)] = float(I);
    }

  // Detector blur (a 3-tap binomial kernel per axis), exposure, quantum noise, quantisation.
  std::vector<float> tmp(out.size());
  auto idx = [&](int x, int y) { return size_t(std::clamp(y, 0, size - 1)) * size_t(size) + size_t(std::clamp(x, 0, size - 1)); };
  const int passes = std::max(1, size / 256);
  for (int pass = 0; pass < passes; ++pass) {
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) tmp[idx(x, y)] = 0.25f * out[idx(x - 1, y)] + 0.5f * out[idx(x, y)] + 0.25f * out[idx(x + 1, y)];
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) out[idx(x, y)] = 0.25f * tmp[idx(x, y - 1)] + 0.5f * tmp[idx(x, y)] + 0.25f * tmp[idx(x, y + 1)];
  }

  Image image(size, size, 1);
  for (size_t i = 0; i < out.size(); ++i) {
    double I = (out[i] - 0.45) * an.exposure + 0.45 + an.brightness;
    I += an.noise * (0.4 + clamp01(I)) * noise_rng.normal();
    I = std::pow(clamp01(I), 0.92);
    image.pixels[i] = uint8_t(std::lround(255.0 * I));
  }
  return image;
}

}  // namespace saerad::demo
