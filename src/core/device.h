// The torch device a run asks for, checked before anything is built on it.
//
// Device strings follow LibTorch ("cpu", "cuda", "cuda:1"). Debian's LibTorch
// is built without CUDA, so "cuda" there would fail deep inside the first
// tensor operation; here it is refused up front with one line that says why.
// Builds against a CUDA LibTorch accept it (the code is device-agnostic).
#pragma once

#include <torch/types.h>

#include <string>

namespace disco {

// Throws std::invalid_argument naming `device` when it is malformed, or is a
// CUDA device that this LibTorch or this machine cannot run.
torch::Device checked_device(const std::string& device);

}  // namespace disco
