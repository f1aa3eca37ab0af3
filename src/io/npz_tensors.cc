#include "io/npz_tensors.h"

#include <cstring>
#include <stdexcept>

namespace disco {
namespace {

torch::ScalarType scalar_type_of(DType d) {
  switch (d) {
    case DType::kFloat32: return torch::kFloat32;
    case DType::kFloat64: return torch::kFloat64;
    case DType::kInt32: return torch::kInt32;
    case DType::kInt64: return torch::kInt64;
    case DType::kBool: return torch::kBool;
  }
  throw std::invalid_argument("unknown dtype");
}

DType dtype_of(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return DType::kFloat32;
    case torch::kFloat64: return DType::kFloat64;
    case torch::kInt32: return DType::kInt32;
    case torch::kInt64: return DType::kInt64;
    case torch::kBool: return DType::kBool;
    default: throw std::invalid_argument(std::string("cannot store tensors of type ") + c10::toString(t) + " in .npz");
  }
}

}  // namespace

torch::Tensor to_tensor(const NpyArray& array) {
  auto t = torch::empty(array.shape, torch::TensorOptions().dtype(scalar_type_of(array.dtype)));
  if (!array.data.empty()) std::memcpy(t.data_ptr(), array.data.data(), array.data.size());
  return t;
}

NpyArray to_npy(const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  NpyArray a;
  a.dtype = dtype_of(t.scalar_type());
  a.shape.assign(t.sizes().begin(), t.sizes().end());
  a.data.resize(t.numel() * t.element_size());
  if (!a.data.empty()) std::memcpy(a.data.data(), t.data_ptr(), a.data.size());
  return a;
}

ParamMap load_tensors(const std::string& path) {
  ParamMap out;
  for (const auto& [name, array] : read_npz(path)) out[name] = to_tensor(array);
  return out;
}

void save_tensors(const std::string& path, const ParamMap& tensors, bool compress) {
  NpzArchive archive;
  for (const auto& [name, t] : tensors) archive.emplace_back(name, to_npy(t));
  write_npz(path, archive, compress);
}

}  // namespace disco
