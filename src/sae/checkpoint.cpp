#include "sae/checkpoint.hpp"

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace saerad {

namespace fs = std::filesystem;

fs::path checkpoint_path(const fs::path& sae_dir) { return sae_dir / "checkpoint" / "state.safetensors"; }

void save_checkpoint(const fs::path& sae_dir, const TrainingState& s, const Json& info) {
  SafetensorsWriter w;
  for (const auto& spec : s.params.layout->specs())
    w.add_borrowed("param." + spec.name, DType::F32, spec.shape, s.params.data.data() + spec.offset, spec.size * 4);
  const auto n = int64_t(s.params.data.size());
  w.add_borrowed("adam.m", DType::F32, {n}, s.adam.m.data(), s.adam.m.size() * 4);
  w.add_borrowed("adam.v", DType::F32, {n}, s.adam.v.data(), s.adam.v.size() * 4);
  w.add_borrowed("order", DType::I64, {int64_t(s.order.size())}, s.order.data(), s.order.size() * 8);
  w.add_borrowed("samples_since_fired", DType::I64, {int64_t(s.samples_since_fired.size())},
                 s.samples_since_fired.data(), s.samples_since_fired.size() * 8);
  Json state;
  state["step"] = s.step;
  state["epoch"] = s.epoch;
  state["position"] = s.position;
  state["adam_t"] = s.adam.t;
  Json rng = Json::array();
  for (uint64_t word : s.data_rng.state()) rng.push_back(std::to_string(word));  // exact 64-bit words
  state["data_rng"] = rng;
  w.set_metadata("state", state.dump());
  w.set_metadata("info", info.dump());
  w.write(checkpoint_path(sae_dir));  // atomic: temp + rename
}

Json load_checkpoint(const fs::path& sae_dir, TrainingState& s) {
  const fs::path path = checkpoint_path(sae_dir);
  if (!fs::exists(path)) fail_input("{}: no checkpoint to resume from", path);
  SafetensorsFile st = SafetensorsFile::open(path);
  for (const auto& spec : s.params.layout->specs()) {
    const TensorView& t = st.get("param." + spec.name, spec.shape);
    t.to_f32(s.params.data.data() + spec.offset);
  }
  const auto n = int64_t(s.params.data.size());
  s.adam.m = st.get("adam.m", {n}).to_f32();
  s.adam.v = st.get("adam.v", {n}).to_f32();
  s.order = st.get("order", {-1}).copy_as<int64_t>();
  s.samples_since_fired = st.get("samples_since_fired", {-1}).copy_as<int64_t>();
  const Json state = parse_json(st.metadata_or("state", "{}"), path.string() + ": metadata 'state'");
  try {
    s.step = state.at("step").get<int64_t>();
    s.epoch = state.at("epoch").get<int64_t>();
    s.position = state.at("position").get<int64_t>();
    s.adam.t = state.at("adam_t").get<int64_t>();
    std::array<uint64_t, 4> words{};
    for (size_t i = 0; i < 4; ++i) words[i] = std::stoull(state.at("data_rng").at(i).get<std::string>());
    s.data_rng.set_state(words);
  } catch (const std::exception& e) {
    fail_input("{}: damaged training state ({})", path, e.what());
  }
  return parse_json(st.metadata_or("info", "{}"), path.string() + ": metadata 'info'");
}

}  // namespace saerad
