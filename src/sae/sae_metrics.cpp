#include "sae/sae_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "sae/dense_ops.hpp"

namespace saerad {

SaeEvaluation evaluate_sae(const Architecture& arch, const ArchConfig& config, const Params& params,
                           const MatrixF32& data, std::span<const int64_t> rows, double input_scale) {
  const int64_t d = config.d_in, m = config.d_sae, n = int64_t(rows.size());
  SaeEvaluation ev;
  ev.rows = n;
  ev.fire_counts.assign(size_t(m), 0);
  if (n == 0) return ev;
  std::vector<double> mean(size_t(d), 0.0);
  for (int64_t r : rows)
    for (int64_t j = 0; j < d; ++j) mean[size_t(j)] += double(data.at(r, j)) * input_scale;
  for (double& v : mean) v /= double(n);
  const int64_t chunk = std::clamp<int64_t>((int64_t(1) << 24) / std::max<int64_t>(m, 1), 1, 256);
  std::vector<float> x(size_t(chunk * d)), f(size_t(chunk * m)), xhat(size_t(chunk * d));
  double sq_error = 0, sq_total = 0;
  int64_t active = 0;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t count = std::min(chunk, n - start);
    for (int64_t b = 0; b < count; ++b)
      for (int64_t j = 0; j < d; ++j) x[size_t(b * d + j)] = float(double(data.at(rows[size_t(start + b)], j)) * input_scale);
    arch.encode(config, params, x.data(), count, f.data());
    dense::decode(f.data(), count, m, params.get("W_dec"), d, params.get("b_dec"), xhat.data());
    for (int64_t b = 0; b < count; ++b) {
      for (int64_t j = 0; j < d; ++j) {
        const double e = double(x[size_t(b * d + j)]) - double(xhat[size_t(b * d + j)]);
        const double c = double(x[size_t(b * d + j)]) - mean[size_t(j)];
        sq_error += e * e;
        sq_total += c * c;
      }
      for (int64_t i = 0; i < m; ++i)
        if (f[size_t(b * m + i)] > 0.0f) {
          ++active;
          ++ev.fire_counts[size_t(i)];
        }
    }
  }
  ev.l0 = double(active) / double(n);
  ev.explained_variance = sq_total > 0 ? 1.0 - sq_error / sq_total : 0.0;
  ev.mse = sq_error / double(n) / (input_scale * input_scale);
  return ev;
}

std::vector<float> log10_feature_density(std::span<const int64_t> fire_counts, int64_t rows) {
  std::vector<float> out;
  out.reserve(fire_counts.size());
  for (int64_t c : fire_counts) out.push_back(float(std::log10(double(c) / double(std::max<int64_t>(rows, 1)) + 1e-10)));
  return out;
}

Json density_summary(std::span<const float> log10_density) {
  const auto m = int64_t(log10_density.size());
  int64_t dense_count = 0, never = 0;
  std::vector<int64_t> bins(10, 0);  // [-10,-9), ..., [-1, 0]
  for (float v : log10_density) {
    if (v > std::log10(0.1)) ++dense_count;
    if (v <= -9.5f) ++never;
    const int bin = std::clamp(int(std::floor(v)) + 10, 0, 9);
    ++bins[size_t(bin)];
  }
  Json histogram = Json::array();
  for (int b = 0; b < 10; ++b) histogram.push_back({{"log10_from", b - 10}, {"log10_to", b - 9}, {"count", bins[size_t(b)]}});
  return {{"features", m},
          {"dense_count", dense_count},
          {"dense_fraction", m ? double(dense_count) / double(m) : 0.0},
          {"never_fired_count", never},
          {"never_fired_fraction", m ? double(never) / double(m) : 0.0},
          {"histogram", histogram}};
}

}  // namespace saerad
