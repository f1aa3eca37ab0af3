#include "core/device.h"

#include <torch/cuda.h>

#include <stdexcept>

namespace disco {

torch::Device checked_device(const std::string& device) {
  torch::Device d(torch::kCPU);
  try {
    d = torch::Device(device);
  } catch (const std::exception&) {
    throw std::invalid_argument("device '" + device + "' is not a torch device (e.g. cpu, cuda, cuda:0)");
  }
  if (d.is_cpu()) return d;
  if (!d.is_cuda()) {
    throw std::invalid_argument("device '" + device + "': only cpu and cuda devices are supported");
  }
  if (!torch::cuda::is_available()) {
    throw std::invalid_argument("device '" + device +
                                "': this LibTorch has no CUDA (Debian's libtorch is CPU-only), or this "
                                "machine has no CUDA GPU; use --device cpu");
  }
  if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count())) {
    throw std::invalid_argument("device '" + device + "': this machine has " +
                                std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  }
  return d;
}

}  // namespace disco
