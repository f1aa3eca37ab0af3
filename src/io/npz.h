// NumPy .npy / .npz reading and writing.
//
// Reads archives whose members are stored or DEFLATE-compressed, .npy format
// versions 1.0, 2.0 and 3.0, little-endian float32, float64, int32, int64 and
// bool, in C or Fortran order (Fortran data is reordered to C order on read,
// so `data` is always C-ordered). Writes archives NumPy's np.load reads back.
// Any malformed input throws std::invalid_argument naming the file, the member
// and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace disco {

enum class DType { kFloat32, kFloat64, kInt32, kInt64, kBool };

const char* dtype_name(DType dtype);  // "float32", ...
size_t dtype_size(DType dtype);

struct NpyArray {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;  // logical shape; {} for a 0-d array
  std::vector<uint8_t> data;   // C order, little-endian
  bool fortran_order_on_disk = false;  // informational: how the file stored it

  int64_t num_values() const;
};

// Members in archive order, names without the ".npy" suffix.
using NpzArchive = std::vector<std::pair<std::string, NpyArray>>;

NpzArchive read_npz(const std::string& path);
// The same for an .npz image held in memory (`what` names it in errors).
NpzArchive parse_npz(const uint8_t* bytes, size_t size, const std::string& what);
// Parses one .npy image (`what` names it in errors).
NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& what);
std::vector<uint8_t> serialize_npy(const NpyArray& array);

// Writes atomically: a temporary file beside `path`, fsync, rename. Names
// must be unique. `compress` chooses DEFLATE over stored members.
void write_npz(const std::string& path, const NpzArchive& archive, bool compress = false);

}  // namespace disco
