#include "io/npz.h"

#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include "io/atomic_file.h"

namespace disco {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
  throw std::invalid_argument(what + ": " + problem);
}

// Extracts the value text following "'key':" in a .npy header dict.
std::string header_value(const std::string& header, const std::string& key, const std::string& what) {
  const std::string quoted = "'" + key + "'";
  size_t pos = header.find(quoted);
  if (pos == std::string::npos) fail(what, "corrupt .npy header (no '" + key + "')");
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) fail(what, "corrupt .npy header (no value for '" + key + "')");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) fail(what, "corrupt .npy header");
  size_t end;
  if (header[pos] == '(') {
    end = header.find(')', pos);
    if (end == std::string::npos) fail(what, "corrupt .npy header (unclosed shape)");
    return header.substr(pos, end - pos + 1);
  }
  if (header[pos] == '\'' || header[pos] == '"') {
    end = header.find(header[pos], pos + 1);
    if (end == std::string::npos) fail(what, "corrupt .npy header (unclosed string)");
    return header.substr(pos + 1, end - pos - 1);
  }
  end = header.find_first_of(",}", pos);
  if (end == std::string::npos) fail(what, "corrupt .npy header");
  std::string v = header.substr(pos, end - pos);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

DType parse_descr(const std::string& descr, const std::string& what) {
  if (descr == "<f4") return DType::kFloat32;
  if (descr == "<f8") return DType::kFloat64;
  if (descr == "<i4") return DType::kInt32;
  if (descr == "<i8") return DType::kInt64;
  if (descr == "|b1") return DType::kBool;
  fail(what, "unsupported dtype '" + descr +
                 "' (supported: little-endian float32, float64, int32, int64, bool)");
}

const char* descr_of(DType d) {
  switch (d) {
    case DType::kFloat32: return "<f4";
    case DType::kFloat64: return "<f8";
    case DType::kInt32: return "<i4";
    case DType::kInt64: return "<i8";
    case DType::kBool: return "|b1";
  }
  return "?";
}

std::vector<int64_t> parse_shape(const std::string& text, const std::string& what) {
  // "(3, 4)", "(5,)", "()"
  std::vector<int64_t> shape;
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    fail(what, "corrupt .npy header (shape '" + text + "')");
  }
  std::string body = text.substr(1, text.size() - 2);
  size_t pos = 0;
  while (pos < body.size()) {
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == ',')) ++pos;
    if (pos >= body.size()) break;
    size_t end = pos;
    while (end < body.size() && body[end] >= '0' && body[end] <= '9') ++end;
    if (end == pos) fail(what, "corrupt .npy header (shape '" + text + "')");
    if (end - pos > 18) fail(what, "shape '" + text + "' has a dimension too large to be real");
    shape.push_back(std::stoll(body.substr(pos, end - pos)));
    pos = end;
  }
  return shape;
}

// Reorders column-major bytes of `shape` into row-major order.
std::vector<uint8_t> fortran_to_c(const std::vector<uint8_t>& src, const std::vector<int64_t>& shape,
                                  size_t elem) {
  const size_t rank = shape.size();
  if (rank < 2) return src;
  int64_t n = 1;
  for (auto d : shape) n *= d;
  std::vector<uint8_t> dst(src.size());
  // Column-major strides (in elements) of the source.
  std::vector<int64_t> f_stride(rank);
  int64_t s = 1;
  for (size_t k = 0; k < rank; ++k) {
    f_stride[k] = s;
    s *= shape[k];
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t c = 0; c < n; ++c) {  // c walks the destination in row-major order
    int64_t f = 0;
    for (size_t k = 0; k < rank; ++k) f += index[k] * f_stride[k];
    std::memcpy(dst.data() + c * elem, src.data() + f * elem, elem);
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return dst;
}

struct ZipCloser {
  void operator()(zip_t* z) const {
    if (z) zip_discard(z);
  }
};

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::kFloat32: return 4;
    case DType::kFloat64: return 8;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
  }
  return 0;
}

int64_t NpyArray::num_values() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& what) {
  static const char kMagic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0) fail(what, "not a .npy array (bad magic)");
  const int major = bytes[6];
  size_t header_len, offset;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) fail(what, "truncated .npy header");
    header_len = static_cast<size_t>(bytes[8]) | (static_cast<size_t>(bytes[9]) << 8) |
                 (static_cast<size_t>(bytes[10]) << 16) | (static_cast<size_t>(bytes[11]) << 24);
    offset = 12;
  } else {
    fail(what, "unsupported .npy format version " + std::to_string(major));
  }
  if (offset + header_len > size) fail(what, "truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(bytes + offset), header_len);
  if (header.find('{') == std::string::npos || header.find('}') == std::string::npos) {
    fail(what, "corrupt .npy header");
  }
  NpyArray a;
  a.dtype = parse_descr(header_value(header, "descr", what), what);
  const std::string fortran = header_value(header, "fortran_order", what);
  if (fortran != "True" && fortran != "False") fail(what, "corrupt .npy header (fortran_order)");
  a.fortran_order_on_disk = fortran == "True";
  a.shape = parse_shape(header_value(header, "shape", what), what);
  std::string shape_text;
  for (auto d : a.shape) shape_text += (shape_text.empty() ? "" : "x") + std::to_string(d);
  // The byte count, refusing shapes whose product overflows (which could
  // otherwise wrap around to the size of the data that is there).
  uint64_t expected = dtype_size(a.dtype);
  for (auto d : a.shape) {
    if (__builtin_mul_overflow(expected, static_cast<uint64_t>(d), &expected) ||
        expected > static_cast<uint64_t>(INT64_MAX)) {
      fail(what, "shape (" + shape_text + ") is too large to be real");
    }
  }
  const size_t elem = dtype_size(a.dtype);
  const size_t available = size - offset - header_len;
  if (available != expected) {
    fail(what, "shape (" + shape_text + ") of " + dtype_name(a.dtype) + " needs " +
                   std::to_string(expected) + " bytes but the data has " + std::to_string(available));
  }
  const uint8_t* data = bytes + offset + header_len;
  a.data.assign(data, data + expected);
  if (a.fortran_order_on_disk) a.data = fortran_to_c(a.data, a.shape, elem);
  return a;
}

std::vector<uint8_t> serialize_npy(const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape[i]);
  if (a.shape.size() == 1) shape += ",";
  shape += ")";
  std::string header = std::string("{'descr': '") + descr_of(a.dtype) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that magic + len + header + '\n' is a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

NpzArchive read_npz(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN) fail(path, "cannot open (" + msg + ")");
    fail(path, "not a readable .npz archive (" + msg + ")");
  }
  NpzArchive archive;
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), i, 0, &st) != 0) fail(path, "corrupt archive entry " + std::to_string(i));
    std::string name = st.name;
    const std::string what = path + ":" + name;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy") {
      fail(what, "member is not a .npy array");
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z.get(), i, 0), zip_fclose);
    if (!f) fail(what, std::string("cannot read member (") + zip_strerror(z.get()) + ")");
    // The declared size is only a claim: refuse what no stored or DEFLATEd
    // member of this compressed size can hold (DEFLATE expands at most
    // ~1032:1), and grow the buffer with the data that actually arrives.
    const bool stored = st.comp_method == ZIP_CM_STORE;
    if ((stored && st.size != st.comp_size) ||
        (!stored && st.size > st.comp_size * 1032 + 1024)) {
      fail(what, "member declares " + std::to_string(st.size) + " bytes in " +
                     std::to_string(st.comp_size) + " compressed bytes; the archive is corrupt");
    }
    std::vector<uint8_t> bytes;
    bytes.reserve(std::min<zip_uint64_t>(st.size, zip_uint64_t{1} << 24));
    std::vector<uint8_t> chunk(std::min<zip_uint64_t>(st.size, zip_uint64_t{1} << 20));
    while (bytes.size() < st.size) {
      const auto want = std::min<zip_uint64_t>(chunk.size(), st.size - bytes.size());
      const zip_int64_t r = zip_fread(f.get(), chunk.data(), want);
      if (r <= 0) fail(what, std::string("truncated or corrupt member (") + zip_file_strerror(f.get()) + ")");
      bytes.insert(bytes.end(), chunk.data(), chunk.data() + r);
    }
    name.resize(name.size() - 4);
    archive.emplace_back(name, parse_npy(bytes.data(), bytes.size(), what));
  }
  return archive;
}

void write_npz(const std::string& path, const NpzArchive& archive, bool compress) {
  std::set<std::string> names;
  for (const auto& [name, a] : archive) {
    if (!names.insert(name).second) throw std::invalid_argument("write_npz: duplicate name '" + name + "'");
    const int64_t expected = a.num_values() * static_cast<int64_t>(dtype_size(a.dtype));
    if (static_cast<int64_t>(a.data.size()) != expected) {
      throw std::invalid_argument("write_npz: array '" + name + "' has " + std::to_string(a.data.size()) +
                                  " bytes, its shape needs " + std::to_string(expected));
    }
  }
  AtomicFile out(path);
  int err = 0;
  zip_t* z = zip_open(out.temp_path().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("cannot create " + out.temp_path());
  // Buffers must outlive zip_close, which is when libzip reads them.
  std::vector<std::vector<uint8_t>> images;
  images.reserve(archive.size());
  for (const auto& [name, a] : archive) {
    images.push_back(serialize_npy(a));
    zip_source_t* src = zip_source_buffer(z, images.back().data(), images.back().size(), 0);
    const std::string member = name + ".npy";
    const zip_int64_t idx = src ? zip_file_add(z, member.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (src) zip_source_free(src);
      std::string msg = zip_strerror(z);
      zip_discard(z);
      throw std::runtime_error("cannot add " + member + " to " + path + ": " + msg);
    }
    zip_set_file_compression(z, idx, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  if (zip_close(z) != 0) {
    std::string msg = zip_strerror(z);
    zip_discard(z);
    throw std::runtime_error("cannot write " + path + ": " + msg);
  }
  out.commit();
}

}  // namespace disco
