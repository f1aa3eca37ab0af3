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

// Reorders column-major bytes of `full_shape` into row-major order.
std::vector<uint8_t> fortran_to_c(const std::vector<uint8_t>& src,
                                  const std::vector<int64_t>& full_shape, size_t elem) {
  // Dimensions of size 1 do not change the order. Without them the rank is at
  // most log2 of the number of values, so the walk below stays O(n log n)
  // however many dimensions a header lists (30,000 ones made it take minutes).
  std::vector<int64_t> shape;
  for (auto d : full_shape) {
    if (d != 1) shape.push_back(d);
  }
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

namespace {

// NumPy itself refuses headers over 10,000 bytes (np.load's max_header_size);
// this bound leaves room for any real header and keeps a hostile one from
// being read into memory whole.
constexpr size_t kMaxHeaderBytes = 1 << 16;

// Where the data of the .npy image starting at `bytes` begins (magic,
// version, length and header text), from its first 12 bytes; `size` may be
// just those.
size_t npy_data_offset(const uint8_t* bytes, size_t size, const std::string& what) {
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
  if (header_len > kMaxHeaderBytes) {
    fail(what, ".npy header of " + std::to_string(header_len) + " bytes is too large to be real");
  }
  return offset + header_len;
}

// A .npy header: the array without its data, where the data begins and how
// many bytes its shape needs.
struct NpyHeader {
  NpyArray array;
  size_t data_offset = 0;
  uint64_t data_bytes = 0;
  std::string shape_text;  // "3x4", for messages
};

// Parses the header of the .npy image starting at `bytes`; `size` may stop
// where the data begins.
NpyHeader parse_npy_header(const uint8_t* bytes, size_t size, const std::string& what) {
  NpyHeader h;
  h.data_offset = npy_data_offset(bytes, size, what);
  if (h.data_offset > size) fail(what, "truncated .npy header");
  const size_t offset = bytes[6] == 1 ? 10 : 12;
  const std::string header(reinterpret_cast<const char*>(bytes + offset), h.data_offset - offset);
  if (header.find('{') == std::string::npos || header.find('}') == std::string::npos) {
    fail(what, "corrupt .npy header");
  }
  NpyArray& a = h.array;
  a.dtype = parse_descr(header_value(header, "descr", what), what);
  const std::string fortran = header_value(header, "fortran_order", what);
  if (fortran != "True" && fortran != "False") fail(what, "corrupt .npy header (fortran_order)");
  a.fortran_order_on_disk = fortran == "True";
  a.shape = parse_shape(header_value(header, "shape", what), what);
  for (auto d : a.shape) h.shape_text += (h.shape_text.empty() ? "" : "x") + std::to_string(d);
  // The byte count, refusing shapes whose product overflows (which could
  // otherwise wrap around to the size of the data that is there).
  h.data_bytes = dtype_size(a.dtype);
  for (auto d : a.shape) {
    if (__builtin_mul_overflow(h.data_bytes, static_cast<uint64_t>(d), &h.data_bytes) ||
        h.data_bytes > static_cast<uint64_t>(INT64_MAX)) {
      fail(what, "shape (" + h.shape_text + ") is too large to be real");
    }
  }
  return h;
}

// Throws unless the image of `image_size` bytes holds exactly the data `h` needs.
void check_data_size(const NpyHeader& h, uint64_t image_size, const std::string& what) {
  const uint64_t available = image_size - h.data_offset;
  if (available != h.data_bytes) {
    fail(what, "shape (" + h.shape_text + ") of " + dtype_name(h.array.dtype) + " needs " +
                   std::to_string(h.data_bytes) + " bytes but the data has " +
                   std::to_string(available));
  }
}

}  // namespace

NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& what) {
  NpyHeader h = parse_npy_header(bytes, size, what);
  check_data_size(h, size, what);
  NpyArray a = std::move(h.array);
  const uint8_t* data = bytes + h.data_offset;
  a.data.assign(data, data + h.data_bytes);
  if (a.fortran_order_on_disk) a.data = fortran_to_c(a.data, a.shape, dtype_size(a.dtype));
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

namespace {

// Every member of the open archive `z`; `what` (its path) names it in errors.
NpzArchive read_members(zip_t* z, const std::string& path) {
  NpzArchive archive;
  const zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z, i, 0, &st) != 0) fail(path, "corrupt archive entry " + std::to_string(i));
    std::string name = st.name;
    const std::string what = path + ":" + name;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy") {
      fail(what, "member is not a .npy array");
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, i, 0), zip_fclose);
    if (!f) fail(what, std::string("cannot read member (") + zip_strerror(z) + ")");
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
    std::vector<uint8_t> chunk(std::min<zip_uint64_t>(st.size, zip_uint64_t{1} << 20));
    const auto read_to = [&](zip_uint64_t end) {  // reads the member up to byte `end`
      while (bytes.size() < end) {
        const auto want = std::min<zip_uint64_t>(chunk.size(), end - bytes.size());
        const zip_int64_t r = zip_fread(f.get(), chunk.data(), want);
        if (r <= 0) fail(what, std::string("truncated or corrupt member (") + zip_file_strerror(f.get()) + ")");
        bytes.insert(bytes.end(), chunk.data(), chunk.data() + r);
      }
    };
    // The .npy header first: the shape it declares must account for the
    // member's size, or the member is refused before its data is read (a
    // DEFLATE member of a few KB can claim, and hold, gigabytes).
    read_to(std::min<zip_uint64_t>(st.size, 12));
    read_to(std::min<zip_uint64_t>(st.size, npy_data_offset(bytes.data(), bytes.size(), what)));
    check_data_size(parse_npy_header(bytes.data(), bytes.size(), what), st.size, what);
    // The data that actually arrives grows the buffer (the sizes are still
    // only claims).
    bytes.reserve(std::min<zip_uint64_t>(st.size, zip_uint64_t{1} << 24));
    read_to(st.size);
    name.resize(name.size() - 4);
    archive.emplace_back(name, parse_npy(bytes.data(), bytes.size(), what));
  }
  return archive;
}

std::string zip_error_text(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string msg = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  return msg;
}

}  // namespace

NpzArchive read_npz(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!z) {
    const std::string msg = zip_error_text(err);
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN) fail(path, "cannot open (" + msg + ")");
    fail(path, "not a readable .npz archive (" + msg + ")");
  }
  return read_members(z.get(), path);
}

NpzArchive parse_npz(const uint8_t* bytes, size_t size, const std::string& what) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(bytes, size, /*freep=*/0, &ze);
  zip_error_fini(&ze);
  if (!src) fail(what, "cannot read the archive from memory");
  zip_error_init(&ze);
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze));
  if (!z) {
    const std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    zip_source_free(src);  // still ours when the open failed
    fail(what, "not a readable .npz archive (" + msg + ")");
  }
  zip_error_fini(&ze);
  return read_members(z.get(), what);
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
