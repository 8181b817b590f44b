#include "core/inspect.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "core/safetensors.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {

Json tensor_stats(const TensorView& t) {
  double sum = 0, sum_sq = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  int64_t non_finite = 0, n = 0;
  std::vector<float> chunk(1 << 16);
  const int64_t total = t.numel();
  const size_t esize = dtype_size(t.dtype);
  for (int64_t start = 0; start < total; start += int64_t(chunk.size())) {
    const size_t count = size_t(std::min<int64_t>(int64_t(chunk.size()), total - start));
    if (dtype_is_float(t.dtype)) {
      convert_to_f32(t.dtype, t.data + size_t(start) * esize, count, chunk.data());
    } else {
      for (size_t i = 0; i < count; ++i) {
        const std::byte* p = t.data + (size_t(start) + i) * esize;
        int64_t v = 0;
        if (t.dtype == DType::U8) v = int64_t(*reinterpret_cast<const uint8_t*>(p));
        else if (t.dtype == DType::I32) { int32_t x; std::memcpy(&x, p, 4); v = x; }
        else std::memcpy(&v, p, 8);
        chunk[i] = float(v);
      }
    }
    for (size_t i = 0; i < count; ++i) {
      const double v = chunk[i];
      if (!std::isfinite(v)) {
        ++non_finite;
        continue;
      }
      sum += v;
      sum_sq += v * v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++n;
    }
  }
  const double mean = n ? sum / double(n) : 0.0;
  return {{"min", n ? lo : 0.0}, {"max", n ? hi : 0.0}, {"mean", mean},
          {"std", n ? std::sqrt(std::max(0.0, sum_sq / double(n) - mean * mean)) : 0.0}, {"non_finite", non_finite}};
}

Json describe_tensor(const TensorView& t, const InspectOptions& options) {
  Json j = {{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"bytes", t.nbytes}};
  if (options.stats) j["stats"] = tensor_stats(t);
  return j;
}

// Metadata values that hold JSON are shown as JSON; long arrays (ids) are summarised.
Json describe_metadata_value(const std::string& value, const InspectOptions& options) {
  if (value.empty() || (value[0] != '{' && value[0] != '[')) return value;
  Json parsed = Json::parse(value, nullptr, false);
  if (parsed.is_discarded()) return value;
  if (parsed.is_array() && parsed.size() > options.max_ids) {
    Json head = Json::array();
    for (size_t i = 0; i < options.max_ids; ++i) head.push_back(parsed[i]);
    return {{"count", parsed.size()}, {"first", head}};
  }
  return parsed;
}

Json inspect_one(const fs::path& path, const InspectOptions& options) {
  Json j;
  j["path"] = path.string();
  j["file_bytes"] = fs::file_size(path);
  Json tensors = Json::array();
  if (path.extension() == ".npy") {
    j["format"] = "npy";
    tensors.push_back(describe_tensor(read_npy(path), options));
  } else {
    SafetensorsFile st = SafetensorsFile::open(path);
    j["format"] = "safetensors";
    j["header_bytes"] = st.header_size();
    for (const auto& t : st.tensors()) tensors.push_back(describe_tensor(t, options));
    Json metadata = Json::object();
    for (const auto& [key, value] : st.metadata()) {
      if (key == "provenance") continue;
      metadata[key] = describe_metadata_value(value, options);
    }
    j["metadata"] = metadata;
    if (auto p = st.metadata_or("provenance"); !p.empty()) j["provenance"] = describe_metadata_value(p, options);
  }
  j["tensors"] = tensors;
  return j;
}

}  // namespace

Json inspect_file(const fs::path& path, const InspectOptions& options) {
  if (!fs::exists(path)) fail_input("{}: no such file or directory", path.string());
  if (fs::is_directory(path)) {
    Json dir = {{"path", path.string()}, {"format", "directory"}, {"files", Json::array()}};
    if (fs::exists(path / "cfg.json")) dir["cfg"] = read_json_file(path / "cfg.json");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path))
      if (entry.path().extension() == ".safetensors" || entry.path().extension() == ".npy") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) dir["files"].push_back(inspect_one(f, options));
    return dir;
  }
  return inspect_one(path, options);
}

std::string format_inspection(const Json& j) {
  std::string out;
  if (j.value("format", "") == "directory") {
    out += fmt::format("{} (directory)\n", j["path"].get<std::string>());
    if (j.contains("cfg")) out += fmt::format("cfg.json: {}\n", j["cfg"].dump(2));
    for (const Json& f : j["files"]) {
      out += '\n';
      out += format_inspection(f);
    }
    return out;
  }
  out += fmt::format("{}: {}, {} bytes\n", j["path"].get<std::string>(), j["format"].get<std::string>(),
                     j["file_bytes"].get<uint64_t>());
  out += fmt::format("  {:<40} {:<5} {:<20} {:>12}\n", "tensor", "dtype", "shape", "bytes");
  for (const Json& t : j["tensors"]) {
    out += fmt::format("  {:<40} {:<5} {:<20} {:>12}\n", t["name"].get<std::string>(), t["dtype"].get<std::string>(),
                       shape_string(t["shape"].get<std::vector<int64_t>>()), t["bytes"].get<uint64_t>());
    if (t.contains("stats")) {
      const Json& s = t["stats"];
      out += fmt::format("      min {:.6g}  max {:.6g}  mean {:.6g}  std {:.6g}  non-finite {}\n", s["min"].get<double>(),
                         s["max"].get<double>(), s["mean"].get<double>(), s["std"].get<double>(),
                         s["non_finite"].get<int64_t>());
    }
  }
  if (j.contains("metadata") && !j["metadata"].empty()) {
    out += "  metadata:\n";
    for (const auto& [key, value] : j["metadata"].items())
      out += fmt::format("    {}: {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  if (j.contains("provenance")) {
    out += "  provenance:\n";
    const Json& p = j["provenance"];
    if (p.is_object()) {
      for (const auto& [key, value] : p.items())
        out += fmt::format("    {}: {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
    } else {
      out += fmt::format("    {}\n", p.dump());
    }
  }
  return out;
}

}  // namespace saerad
