// Conversions between .npz archives and LibTorch tensors.
#pragma once

#include <torch/types.h>

#include <string>

#include "core/params.h"
#include "io/npz.h"

namespace disco {

torch::Tensor to_tensor(const NpyArray& array);  // a CPU tensor owning its data
NpyArray to_npy(const torch::Tensor& tensor);    // any device, contiguous copy

// Every array of an archive as a tensor, keyed by name.
ParamMap load_tensors(const std::string& path);
// Writes tensors (any supported dtype) to `path` atomically.
void save_tensors(const std::string& path, const ParamMap& tensors, bool compress = false);

}  // namespace disco
