#include "sae/training_data.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"

namespace saerad {

TrainingSplit prepare_training_split(const Embeddings& data, double holdout, uint64_t seed) {
  const std::string name = data.source.empty() ? "embeddings" : data.source.string();
  if (data.size() < 2)
    fail_input("{}: {} embedding{}; training an SAE needs at least 2", name, data.size(), data.size() == 1 ? "" : "s");
  if (data.dim() <= 0) fail_input("{}: embeddings have no dimensions", name);
  check_finite(data);
  const int64_t n = data.size();
  int64_t n_holdout = holdout > 0 ? std::max<int64_t>(1, int64_t(std::llround(holdout * double(n)))) : 0;
  n_holdout = std::min(n_holdout, n - 1);
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[size_t(i)] = i;
  Rng rng = Rng(seed).split(1);
  rng.shuffle(rows);
  TrainingSplit split;
  split.holdout.assign(rows.begin(), rows.begin() + n_holdout);
  split.train.assign(rows.begin() + n_holdout, rows.end());
  std::sort(split.holdout.begin(), split.holdout.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

double input_scale_to_sqrt_d(const MatrixF32& data, std::span<const int64_t> rows) {
  double total = 0;
  for (int64_t r : rows) {
    double s = 0;
    for (int64_t j = 0; j < data.cols; ++j) s += double(data.at(r, j)) * double(data.at(r, j));
    total += std::sqrt(s);
  }
  const double mean = total / double(std::max<size_t>(rows.size(), 1));
  if (!(mean > 0)) fail_input("the training embeddings are all zero: nothing to learn");
  return std::sqrt(double(data.cols)) / mean;
}

std::vector<float> initial_b_dec(const std::string& mode, const MatrixF32& data, std::span<const int64_t> rows, double scale) {
  const int64_t d = data.cols;
  std::vector<double> point(static_cast<size_t>(d), 0.0);
  if (mode == "zero") return std::vector<float>(static_cast<size_t>(d), 0.0f);
  for (int64_t r : rows)
    for (int64_t j = 0; j < d; ++j) point[size_t(j)] += double(data.at(r, j)) * scale;
  for (double& v : point) v /= double(rows.size());
  if (mode == "geometric-median") {
    // Weiszfeld: the point minimising Σ ‖x_r − p‖, started at the mean.
    std::vector<double> next(static_cast<size_t>(d));
    for (int iteration = 0; iteration < 100; ++iteration) {
      std::fill(next.begin(), next.end(), 0.0);
      double weight_sum = 0;
      for (int64_t r : rows) {
        double dist = 0;
        for (int64_t j = 0; j < d; ++j) {
          const double diff = double(data.at(r, j)) * scale - point[size_t(j)];
          dist += diff * diff;
        }
        const double w = 1.0 / std::max(std::sqrt(dist), 1e-8);
        weight_sum += w;
        for (int64_t j = 0; j < d; ++j) next[size_t(j)] += w * double(data.at(r, j)) * scale;
      }
      double moved = 0;
      for (int64_t j = 0; j < d; ++j) {
        next[size_t(j)] /= weight_sum;
        moved += (next[size_t(j)] - point[size_t(j)]) * (next[size_t(j)] - point[size_t(j)]);
      }
      point.swap(next);
      if (moved < 1e-12) break;
    }
  } else if (mode != "mean") {
    fail_input("unknown b_dec init '{}' (zero, mean or geometric-median)", mode);
  }
  return std::vector<float>(point.begin(), point.end());
}

std::string fingerprint_embeddings(const Embeddings& data) {
  std::string bytes = std::to_string(data.size()) + "x" + std::to_string(data.dim()) + ":";
  bytes.append(reinterpret_cast<const char*>(data.vectors.data.data()), data.vectors.data.size() * sizeof(float));
  return fingerprint_text(bytes);
}

}  // namespace saerad
