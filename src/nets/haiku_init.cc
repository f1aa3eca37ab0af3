#include "nets/haiku_init.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace disco {
namespace {

// One standard normal draw (Box-Muller), rejected until it lies in [-2, 2].
double truncated_standard_normal(Rng& rng) {
  constexpr double kTwoPi = 6.283185307179586;
  for (;;) {
    const double u1 = 1.0 - rng.uniform();  // (0, 1]
    const double u2 = rng.uniform();
    const double x = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
    if (x >= -2.0 && x <= 2.0) return x;
  }
}

double default_stddev(int64_t fan_in) { return 1.0 / std::sqrt(static_cast<double>(fan_in)); }

}  // namespace

torch::Tensor truncated_normal(const std::vector<int64_t>& shape, double stddev, Rng& rng,
                               const torch::TensorOptions& options) {
  if (!(stddev >= 0.0)) throw std::invalid_argument("truncated_normal: stddev must be >= 0");
  auto cpu = torch::empty(shape, torch::TensorOptions().dtype(torch::kFloat32));
  float* data = cpu.data_ptr<float>();
  for (int64_t i = 0; i < cpu.numel(); ++i) {
    data[i] = static_cast<float>(stddev * truncated_standard_normal(rng));
  }
  return cpu.to(options);
}

void add_linear_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t out,
                       Rng& rng, const torch::TensorOptions& options,
                       std::optional<double> w_stddev) {
  params[prefix + "/w"] = truncated_normal({in, out}, w_stddev.value_or(default_stddev(in)), rng, options);
  params[prefix + "/b"] = torch::zeros({out}, options);
}

void add_conv1d_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t out,
                       Rng& rng, const torch::TensorOptions& options,
                       std::optional<double> w_stddev) {
  params[prefix + "/w"] =
      truncated_normal({1, in, out}, w_stddev.value_or(default_stddev(in)), rng, options);
  params[prefix + "/b"] = torch::zeros({out}, options);
}

torch::Tensor linear(const torch::Tensor& x, const ParamMap& params, const std::string& prefix) {
  const auto& w = param(params, prefix + "/w");
  const auto& b = param(params, prefix + "/b");
  // A matrix input takes the fused kernel; others broadcast over leading dims.
  return x.dim() == 2 ? torch::addmm(b, x, w) : torch::matmul(x, w) + b;
}

std::string mlp_layer(const std::string& prefix, size_t i) {
  return prefix + "/~/linear_" + std::to_string(i);
}

torch::Tensor mlp(torch::Tensor x, const ParamMap& params, const std::string& prefix,
                  size_t layers, size_t from) {
  for (size_t i = from; i < layers; ++i) {
    x = linear(x, params, mlp_layer(prefix, i));
    if (i + 1 < layers) x = torch::relu(x);
  }
  return x;
}

torch::Tensor conv1d_k1(const torch::Tensor& x, const ParamMap& params, const std::string& prefix) {
  return torch::matmul(x, param(params, prefix + "/w")[0]) + param(params, prefix + "/b");
}

}  // namespace disco
