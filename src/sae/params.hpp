#pragma once
// The trainable state of an SAE as ONE contiguous buffer with named slices. Gradients, Adam moments and
// checkpoints share the layout, so the optimizer is a single pass over flat arrays and a fast kernel can
// address any tensor by offset. Training layout (not SAELens'): W_enc is [m, d] (one row per latent, so a
// latent's encoder vector is contiguous); W_dec is [m, d]; the export transposes W_enc to SAELens' [d, m].
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace saerad {

struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0;
  size_t size = 0;
  bool trainable = true;  // false: a buffer updated by the architecture itself (batchtopk's threshold)
};

class ParamLayout {
 public:
  void add(std::string name, std::vector<int64_t> shape, bool trainable = true) {
    ParamSpec spec{std::move(name), std::move(shape), total_, 1, trainable};
    for (int64_t s : spec.shape) spec.size *= size_t(s);
    total_ += spec.size;
    specs_.push_back(std::move(spec));
  }
  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* find(std::string_view name) const {
    for (const auto& s : specs_)
      if (s.name == name) return &s;
    return nullptr;
  }
  const ParamSpec& get(std::string_view name) const {
    if (const ParamSpec* s = find(name)) return *s;
    fail("SAE parameter '{}' does not exist in this architecture", name);
  }
  size_t total() const { return total_; }

 private:
  std::vector<ParamSpec> specs_;
  size_t total_ = 0;
};

// Values laid out by a ParamLayout (parameters, gradients, Adam moments). T = float for training,
// double for the finite-difference gradient tests.
template <class T>
struct BasicParams {
  std::shared_ptr<const ParamLayout> layout;  // shared (cheap copies), never dangling
  std::vector<T> data;

  BasicParams() = default;
  explicit BasicParams(const ParamLayout& l) : layout(std::make_shared<const ParamLayout>(l)), data(l.total(), T(0)) {}
  T* get(std::string_view name) { return data.data() + layout->get(name).offset; }
  const T* get(std::string_view name) const { return data.data() + layout->get(name).offset; }
  std::span<T> span(std::string_view name) {
    const auto& s = layout->get(name);
    return {data.data() + s.offset, s.size};
  }
  std::span<const T> span(std::string_view name) const {
    const auto& s = layout->get(name);
    return {data.data() + s.offset, s.size};
  }
  bool has(std::string_view name) const { return layout->find(name) != nullptr; }
  void zero() { std::fill(data.begin(), data.end(), T(0)); }
};

using Params = BasicParams<float>;

}  // namespace saerad
