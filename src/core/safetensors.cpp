#include "core/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/mapped_file.hpp"

namespace saerad {

namespace fs = std::filesystem;
using nlohmann::json;

SafetensorsFile SafetensorsFile::open(const fs::path& path) {
  SafetensorsFile st;
  st.path_ = path;
  st.file_ = MappedFile::open(path);
  const std::string where = path.string();
  const size_t size = st.file_->size();
  if (size < 8) fail_input("{}: not a safetensors file: {} bytes, shorter than the 8-byte header length", where, size);
  uint64_t header_len;
  std::memcpy(&header_len, st.file_->data(), 8);
  if (header_len > kSafetensorsMaxHeader)
    fail_input("{}: header length {} exceeds the {} byte limit (not a safetensors file?)", where, header_len,
               kSafetensorsMaxHeader);
  if (header_len > size - 8)
    fail_input("{}: header length {} is longer than the file ({} bytes): truncated", where, header_len, size);
  st.header_size_ = size_t(header_len);
  const char* header_text = reinterpret_cast<const char*>(st.file_->data() + 8);
  if (header_len == 0 || header_text[0] != '{')
    fail_input("{}: header does not start with '{{' (wrong magic: not a safetensors file)", where);
  json header;
  try {
    header = json::parse(header_text, header_text + header_len);
  } catch (const json::parse_error& e) {
    fail_input("{}: header is not valid JSON: {}", where, e.what());
  }
  if (!header.is_object()) fail_input("{}: header is not a JSON object", where);

  const std::byte* buffer = st.file_->data() + 8 + header_len;
  const size_t buffer_size = size - 8 - header_len;
  struct Range {
    size_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail_input("{}: __metadata__ is not an object", where);
      for (auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail_input("{}: __metadata__['{}'] is not a string", where, key);
        st.metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      fail_input("{}: tensor '{}': entry needs dtype, shape and data_offsets", where, name);
    if (!entry["dtype"].is_string()) fail_input("{}: tensor '{}': dtype is not a string", where, name);
    auto dtype = dtype_from_name(entry["dtype"].get<std::string>());
    if (!dtype) fail_input("{}: tensor '{}': unsupported dtype '{}'", where, name, entry["dtype"].get<std::string>());
    const json& shape_json = entry["shape"];
    if (!shape_json.is_array()) fail_input("{}: tensor '{}': shape is not an array", where, name);
    std::vector<int64_t> shape;
    unsigned __int128 numel = 1;
    for (const json& d : shape_json) {
      if (!d.is_number_unsigned()) fail_input("{}: tensor '{}': shape {} has a negative or non-integer size", where, name, shape_json.dump());
      shape.push_back(d.get<int64_t>());
      numel *= d.get<uint64_t>();
    }
    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      fail_input("{}: tensor '{}': data_offsets must be two non-negative integers", where, name);
    uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end) fail_input("{}: tensor '{}': data_offsets [{}, {}] are reversed", where, name, begin, end);
    if (end > buffer_size)
      fail_input("{}: tensor '{}': data_offsets [{}, {}] run past the end of the data ({} bytes): truncated file", where,
                 name, begin, end, buffer_size);
    unsigned __int128 expected = numel * dtype_size(*dtype);
    if (expected != end - begin)
      fail_input("{}: tensor '{}': shape {} × {} needs {} bytes but data_offsets give {}", where, name,
                 shape_string(shape), dtype_name(*dtype), uint64_t(expected), end - begin);
    ranges.push_back({size_t(begin), size_t(end), name});
    TensorView view;
    view.name = name;
    view.dtype = *dtype;
    view.shape = std::move(shape);
    view.data = buffer + begin;
    view.nbytes = size_t(end - begin);
    view.owner = st.file_;
    st.tensors_.push_back(std::move(view));
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  size_t covered = 0;
  for (const Range& r : ranges) {
    if (r.begin == r.end) continue;  // an empty tensor occupies no bytes, so it can overlap nothing
    if (r.begin < covered)
      fail_input("{}: tensor '{}' overlaps the previous tensor (offset {} < {})", where, r.name, r.begin, covered);
    if (r.begin > covered)
      fail_input("{}: bytes {}..{} before tensor '{}' belong to no tensor (holes are not allowed)", where, covered,
                 r.begin, r.name);
    covered = r.end;
  }
  if (covered != buffer_size)
    fail_input("{}: {} trailing bytes after the last tensor belong to no tensor", where, buffer_size - covered);
  std::sort(st.tensors_.begin(), st.tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return a.data < b.data; });
  return st;
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorView& SafetensorsFile::get(std::string_view name) const {
  if (const TensorView* t = find(name)) return *t;
  fail_input("{}: no tensor '{}'", path_.string(), name);
}

const TensorView& SafetensorsFile::get(std::string_view name, const std::vector<int64_t>& expected) const {
  const TensorView& t = get(name);
  bool ok = t.shape.size() == expected.size();
  for (size_t i = 0; ok && i < expected.size(); ++i) ok = expected[i] < 0 || expected[i] == t.shape[i];
  if (!ok)
    fail_input("{}: tensor '{}' has shape {}, expected {}", path_.string(), name, shape_string(t.shape),
               shape_string(expected));
  return t;
}

std::string SafetensorsFile::metadata_or(const std::string& key, std::string fallback) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? fallback : it->second;
}

size_t SafetensorsFile::file_size() const { return file_->size(); }

void SafetensorsWriter::add(std::string name, DType dtype, std::vector<int64_t> shape, const void* data, size_t nbytes) {
  Entry e{std::move(name), dtype, std::move(shape), {}, nullptr, nbytes};
  e.owned.resize(nbytes);
  if (nbytes) std::memcpy(e.owned.data(), data, nbytes);
  e.data = e.owned.data();
  entries_.push_back(std::move(e));
}

void SafetensorsWriter::add_borrowed(std::string name, DType dtype, std::vector<int64_t> shape, const void* data,
                                     size_t nbytes) {
  entries_.push_back(Entry{std::move(name), dtype, std::move(shape), {}, static_cast<const std::byte*>(data), nbytes});
}

void SafetensorsWriter::add_f32(std::string name, std::vector<int64_t> shape, std::span<const float> values) {
  add(std::move(name), DType::F32, std::move(shape), values.data(), values.size_bytes());
}
void SafetensorsWriter::add_i32(std::string name, std::vector<int64_t> shape, std::span<const int32_t> values) {
  add(std::move(name), DType::I32, std::move(shape), values.data(), values.size_bytes());
}
void SafetensorsWriter::add_i64(std::string name, std::vector<int64_t> shape, std::span<const int64_t> values) {
  add(std::move(name), DType::I64, std::move(shape), values.data(), values.size_bytes());
}

void SafetensorsWriter::write(const fs::path& path) const {
  for (const Entry& e : entries_)
    if (size_t(shape_numel(e.shape)) * dtype_size(e.dtype) != e.nbytes)
      fail("{}: tensor '{}' shape {} does not match its {} bytes", path.string(), e.name, shape_string(e.shape), e.nbytes);
  // The format forbids holes between tensors, so alignment comes from the layout: the header is padded so
  // the data starts 8-byte aligned, and tensors are laid out by decreasing element size, which keeps every
  // offset a multiple of its own element size.
  json contiguous = json::object();
  if (!metadata_.empty()) contiguous["__metadata__"] = metadata_;
  size_t offset = 0;
  std::vector<const Entry*> order;
  for (const Entry& e : entries_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const Entry* a, const Entry* b) { return dtype_size(a->dtype) > dtype_size(b->dtype); });
  for (const Entry* e : order) {
    contiguous[e->name] = {{"dtype", std::string(dtype_name(e->dtype))}, {"shape", e->shape}, {"data_offsets", {offset, offset + e->nbytes}}};
    offset += e->nbytes;
  }
  std::string text = contiguous.dump();
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');  // data starts 8-byte aligned in the file
  uint64_t header_len = text.size();
  AtomicFile out(path);
  out.write(&header_len, 8);
  out.write(text);
  for (const Entry* e : order) out.write(e->data, e->nbytes);
  out.commit();
}

}  // namespace saerad
