#include "core/npy.hpp"

#include <cstring>
#include <regex>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/mapped_file.hpp"

namespace saerad {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[] = "\x93NUMPY";

std::string descr_of(DType dtype, const std::string& where) {
  switch (dtype) {
    case DType::F32: return "<f4";
    case DType::F16: return "<f2";
    case DType::F64: return "<f8";
    case DType::I32: return "<i4";
    case DType::I64: return "<i8";
    case DType::U8: return "|u1";
    default: fail("{}: .npy cannot hold {}", where, dtype_name(dtype));
  }
}

DType dtype_of(const std::string& descr, const std::string& where) {
  for (DType d : {DType::F32, DType::F16, DType::F64, DType::I32, DType::I64, DType::U8})
    if (descr_of(d, where) == descr || (d == DType::U8 && descr == "<u1")) return d;
  if (!descr.empty() && descr[0] == '>') fail_input("{}: big-endian dtype '{}' is not supported", where, descr);
  fail_input("{}: unsupported dtype '{}' (expected float32 '<f4' or float16 '<f2')", where, descr);
}

// Extracts the value text of 'key' from the header dict (a Python literal).
std::string dict_value(const std::string& header, const std::string& key, const std::string& where) {
  std::smatch match;
  std::regex pattern("['\"]" + key + "['\"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|\"[^\"]*\"|True|False)");
  if (!std::regex_search(header, match, pattern)) fail_input("{}: .npy header has no '{}': {}", where, key, header);
  return match[1].str();
}
}  // namespace

TensorView read_npy(const fs::path& path) {
  auto file = MappedFile::open(path);
  const std::string where = path.string();
  const std::byte* p = file->data();
  const size_t size = file->size();
  if (size < 10 || std::memcmp(p, kMagic, 6) != 0) fail_input("{}: not a .npy file (wrong magic)", where);
  const int major = int(p[6]);
  size_t header_len, header_start;
  if (major == 1) {
    uint16_t n;
    std::memcpy(&n, p + 8, 2);
    header_len = n;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) fail_input("{}: truncated .npy header", where);
    uint32_t n;
    std::memcpy(&n, p + 8, 4);
    header_len = n;
    header_start = 12;
  } else {
    fail_input("{}: unsupported .npy format version {}", where, major);
  }
  if (header_start + header_len > size)
    fail_input("{}: .npy header length {} runs past the end of the file ({} bytes)", where, header_len, size);
  std::string header(reinterpret_cast<const char*>(p + header_start), header_len);
  std::string descr = dict_value(header, "descr", where);
  descr = descr.substr(1, descr.size() - 2);
  if (dict_value(header, "fortran_order", where) == "True")
    fail_input("{}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray", where);
  TensorView view;
  view.name = path.filename().string();
  view.dtype = dtype_of(descr, where);
  std::string shape_text = dict_value(header, "shape", where);
  std::regex number("\\d+");
  for (auto it = std::sregex_iterator(shape_text.begin(), shape_text.end(), number); it != std::sregex_iterator(); ++it)
    view.shape.push_back(std::stoll(it->str()));
  view.data = p + header_start + header_len;
  view.nbytes = size_t(view.numel()) * dtype_size(view.dtype);
  const size_t available = size - header_start - header_len;
  if (view.nbytes != available)
    fail_input("{}: shape {} of {} needs {} data bytes but the file has {}{}", where, shape_string(view.shape), descr,
               view.nbytes, available, view.nbytes > available ? " (truncated)" : "");
  view.owner = file;
  return view;
}

void write_npy(const fs::path& path, DType dtype, const std::vector<int64_t>& shape, const void* data) {
  std::string shape_text = "(";
  for (size_t i = 0; i < shape.size(); ++i) shape_text += fmt::format("{}{}", shape[i], i + 1 < shape.size() || shape.size() == 1 ? ", " : "");
  if (shape.size() == 1) shape_text.pop_back();  // "(5,)" keeps its comma, drop the trailing space
  shape_text += ")";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                   descr_of(dtype, path.string()), shape_text);
  const bool v2 = header.size() + 11 + 64 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  AtomicFile out(path);
  out.write(kMagic, 6);
  const unsigned char version[2] = {static_cast<unsigned char>(v2 ? 2 : 1), 0};
  out.write(version, 2);
  if (v2) {
    uint32_t n = uint32_t(header.size());
    out.write(&n, 4);
  } else {
    uint16_t n = uint16_t(header.size());
    out.write(&n, 2);
  }
  out.write(header);
  out.write(data, size_t(shape_numel(shape)) * dtype_size(dtype));
  out.commit();
}

}  // namespace saerad
