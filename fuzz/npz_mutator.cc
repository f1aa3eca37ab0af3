// A libFuzzer custom mutator for targets whose input is an .npz archive (npz,
// checkpoint). A blind mutation of a zip almost never survives its CRC-32
// checks, so the parsers behind them would rarely be reached. Half of the
// time this mutator unzips the archive, changes one member (its .npy header,
// its data, the whole image or its name; or gives the array another shape or
// dtype with its data cut or extended to match; or drops it, or copies
// another member over it, or switches it between stored and DEFLATE) and
// zips the members again with valid checksums. The other half it mutates the
// raw bytes, for libzip's own checks and forged member sizes.
#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "io/npz.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

struct Member {
  std::string name;
  std::vector<uint8_t> bytes;
  bool deflate = false;
};

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

// The members of the archive in `data`, uncompressed; false if libzip cannot
// read it (or a member is larger than this mutator cares for).
bool unzip(const uint8_t* data, size_t size, std::vector<Member>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &error);
  zip_error_fini(&error);
  if (!src) return false;
  zip_error_init(&error);
  std::unique_ptr<zip_t, ZipDiscard> z(zip_open_from_source(src, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!z) {
    zip_source_free(src);
    return false;
  }
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), i, 0, &st) != 0 || st.size > (1u << 24)) return false;
    zip_file_t* f = zip_fopen_index(z.get(), i, 0);
    if (!f) return false;
    Member m;
    m.name = st.name;
    m.deflate = st.comp_method != ZIP_CM_STORE;
    m.bytes.resize(st.size);
    const zip_int64_t r = m.bytes.empty() ? 0 : zip_fread(f, m.bytes.data(), m.bytes.size());
    zip_fclose(f);
    if (r != static_cast<zip_int64_t>(m.bytes.size())) return false;
    members.push_back(std::move(m));
  }
  return true;
}

// The members zipped into an archive; empty on failure. libzip refuses a
// second member of the same name, so only the first of each name is kept.
std::vector<uint8_t> zip_up(const std::vector<Member>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  if (!out) return {};
  zip_error_init(&error);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  zip_error_fini(&error);
  if (!z) {
    zip_source_free(out);  // still ours when the open failed
    return {};
  }
  zip_source_keep(out);  // the archive frees its reference; we read the result
  std::set<std::string> names;
  bool ok = true;
  for (const Member& m : members) {
    if (!names.insert(m.name).second) continue;
    zip_source_t* s = zip_source_buffer(z, m.bytes.data(), m.bytes.size(), 0);
    const zip_int64_t i = s ? zip_file_add(z, m.name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (i < 0) {
      if (s) zip_source_free(s);
      ok = false;
      break;
    }
    zip_set_file_compression(z, i, m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 1);
  }
  std::vector<uint8_t> bytes;
  if (ok && zip_close(z) == 0) {
    zip_stat_t st;
    if (zip_source_stat(out, &st) == 0 && zip_source_open(out) == 0) {
      bytes.resize(st.size);
      if (zip_source_read(out, bytes.data(), bytes.size()) != static_cast<zip_int64_t>(st.size)) {
        bytes.clear();
      }
      zip_source_close(out);
    }
  } else {
    zip_discard(z);
  }
  zip_source_free(out);
  return bytes;
}

// Where the header text of the .npy `image` begins (after magic, version and
// length) and ends (where its data begins); {0, 0} if it is not one.
std::pair<size_t, size_t> npy_header_span(const std::vector<uint8_t>& image) {
  if (image.size() < 12 || image[0] != 0x93) return {0, 0};
  const size_t begin = image[6] == 1 ? 10 : 12;
  const size_t length = image[6] == 1 ? image[8] | (image[9] << 8)
                                      : image[8] | (image[9] << 8) | (image[10] << 16) |
                                            (static_cast<size_t>(image[11]) << 24);
  if (begin + length > image.size()) return {0, 0};
  return {begin, begin + length};
}

// Mutates bytes [begin, end) of `v` in place with libFuzzer's mutations,
// letting that span grow by at most `room` bytes; returns its new length.
size_t mutate_span(std::vector<uint8_t>& v, size_t begin, size_t end, size_t room) {
  std::vector<uint8_t> span(v.begin() + begin, v.begin() + end);
  if (span.empty()) span.push_back(0);  // libFuzzer mutates at least one byte
  const size_t old_size = span.size();
  span.resize(old_size + room + 1);
  span.resize(LLVMFuzzerMutate(span.data(), old_size, span.size()));
  v.erase(v.begin() + begin, v.begin() + end);
  v.insert(v.begin() + begin, span.begin(), span.end());
  return span.size();
}

// Gives the array in `image` another shape or dtype, its data cut or
// extended (with random bytes) to match: a change the .npz reader accepts,
// for the code behind it. False if `image` is not an array it reads.
bool reshape(std::vector<uint8_t>& image, std::minstd_rand& rng) {
  disco::NpyArray a;
  try {
    a = disco::parse_npy(image.data(), image.size(), "mutator");
  } catch (const std::exception&) {
    return false;
  }
  switch (rng() % 4) {
    case 0:  // flat, with another number of values
      a.shape = {static_cast<int64_t>(rng() % (2 * a.num_values() + 3))};
      break;
    case 1:  // one dimension fewer
      if (!a.shape.empty()) a.shape.erase(a.shape.begin() + rng() % a.shape.size());
      break;
    case 2:  // one more
      a.shape.insert(a.shape.begin() + rng() % (a.shape.size() + 1), 1 + rng() % 3);
      break;
    case 3:
      a.dtype = static_cast<disco::DType>(rng() % 5);
      break;
  }
  const int64_t n = a.num_values();
  if (n < 0 || n > (1 << 20)) return false;
  const size_t old_size = a.data.size();
  a.data.resize(static_cast<size_t>(n) * disco::dtype_size(a.dtype));
  for (size_t i = old_size; i < a.data.size(); ++i) a.data[i] = static_cast<uint8_t>(rng());
  image = disco::serialize_npy(a);
  return true;
}

// One structural mutation of `members`.
void mutate_members(std::vector<Member>& members, std::minstd_rand& rng) {
  if (members.empty()) {
    members.push_back({"a.npy", {}, false});
  }
  Member& m = members[rng() % members.size()];
  const auto [header_at, data_at] = npy_header_span(m.bytes);
  switch (rng() % 10) {
    case 8:
    case 9:  // another shape or dtype, consistently
      if (reshape(m.bytes, rng)) break;
      [[fallthrough]];
    case 0:
    case 1:  // the .npy header text (dtype, order, shape), its length kept right
      if (data_at > 0) {
        const size_t length = mutate_span(m.bytes, header_at, data_at, 64);
        const size_t length_bytes = header_at - 8;  // 2 in version 1, else 4
        for (size_t k = 0; k < length_bytes; ++k) m.bytes[8 + k] = (length >> (8 * k)) & 0xff;
        break;
      }
      [[fallthrough]];
    case 2:  // the whole image
      mutate_span(m.bytes, 0, m.bytes.size(), 256);
      break;
    case 3:  // the data only
      mutate_span(m.bytes, data_at, m.bytes.size(), 256);
      break;
    case 4: {  // the name
      std::vector<uint8_t> name(m.name.begin(), m.name.end());
      mutate_span(name, 0, name.size(), 16);
      m.name.assign(name.begin(), name.end());
      if (m.name.empty()) m.name = "x.npy";
      break;
    }
    case 5:  // drop it
      if (members.size() > 1) members.erase(members.begin() + (&m - members.data()));
      break;
    case 6:  // another member's image under this name
      m.bytes = members[rng() % members.size()].bytes;
      break;
    case 7:  // stored <-> DEFLATE
      m.deflate = !m.deflate;
      break;
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  std::vector<Member> members;
  if (rng() % 2 == 0 && unzip(data, size, members)) {
    mutate_members(members, rng);
    const std::vector<uint8_t> bytes = zip_up(members);
    if (!bytes.empty() && bytes.size() <= max_size) {
      std::memcpy(data, bytes.data(), bytes.size());
      return bytes.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
