#include "sae/arch_common.hpp"

#include <algorithm>

#include "sae/dense_ops.hpp"

namespace saerad {

void init_tied_weights(const ArchConfig& config, Params& params, Rng& rng, const float* b_dec_init, double decoder_norm) {
  params.zero();
  const int64_t m = config.d_sae, d = config.d_in;
  float* W_dec = params.get("W_dec");
  dense::random_rows(W_dec, m, d, decoder_norm, rng);
  std::copy(W_dec, W_dec + m * d, params.get("W_enc"));
  if (b_dec_init) std::copy(b_dec_init, b_dec_init + d, params.get("b_dec"));
}

SaelensTensors common_saelens_tensors(const ArchConfig& config, const Params& params) {
  const int64_t m = config.d_sae, d = config.d_in;
  SaelensTensors t;
  SaelensTensor& enc = t["W_enc"];
  enc.shape = {d, m};
  enc.values.resize(size_t(d * m));
  const float* W_enc = params.get("W_enc");
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < d; ++j) enc.values[size_t(j * m + i)] = W_enc[i * d + j];
  const auto dec = params.span("W_dec");
  t["W_dec"] = {{m, d}, std::vector<float>(dec.begin(), dec.end())};
  add_saelens_vector(t, "b_dec", params.span("b_dec"));
  return t;
}

void add_saelens_vector(SaelensTensors& tensors, const std::string& name, std::span<const float> values) {
  tensors[name] = {{int64_t(values.size())}, std::vector<float>(values.begin(), values.end())};
}

}  // namespace saerad
