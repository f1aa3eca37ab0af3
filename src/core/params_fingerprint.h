// A fingerprint of a parameter map, e.g. to record in a checkpoint which rule
// weights a run was trained with and refuse to resume it with others.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "core/params.h"

namespace disco {

// FNV-1a over every name, dtype, shape and byte, independent of the device.
inline uint64_t params_fingerprint(const ParamMap& p) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, size_t n) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  for (const auto& [name, t] : p) {
    mix(name.data(), name.size());
    const auto c = t.detach().to(torch::kCPU).contiguous();
    const auto dtype = static_cast<int>(c.scalar_type());
    mix(&dtype, sizeof dtype);
    for (const auto d : c.sizes()) mix(&d, sizeof d);
    mix(c.data_ptr(), c.numel() * c.element_size());
  }
  return h;
}

}  // namespace disco
