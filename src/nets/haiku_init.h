// Haiku-style parameters for functional networks: initialisers and the
// forwards of hk.Linear and a kernel-1 hk.Conv1D over named tensors.
//
// Haiku's defaults (dm-haiku, haiku/_src/basic.py, conv.py, initializers.py):
//   Linear  w [in, out]     TruncatedNormal(stddev = 1/sqrt(in)),  b [out] zeros
//   Conv1D  w [k, in, out]  TruncatedNormal(stddev = 1/sqrt(k*in)), b [out] zeros
// hk.initializers.TruncatedNormal(stddev) draws a standard normal truncated
// to [-2, 2] and scales it by `stddev` (no correction for the truncation, so
// the sample's standard deviation is about 0.88 * stddev).
// Parameter names are "<prefix>/w" and "<prefix>/b", as Haiku names them.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/rng.h"

namespace disco {

// Standard normal truncated to [-2, 2] (resampled outside), times `stddev`.
// Drawn on the CPU from `rng` (reproducible by seed), then moved to `options`.
torch::Tensor truncated_normal(const std::vector<int64_t>& shape, double stddev, Rng& rng,
                               const torch::TensorOptions& options);

// Adds "<prefix>/w" [in, out] and "<prefix>/b" [out] to `params`; `w_stddev`
// defaults to Haiku's 1/sqrt(in).
void add_linear_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t out,
                       Rng& rng, const torch::TensorOptions& options,
                       std::optional<double> w_stddev = std::nullopt);

// Adds a kernel-1 Conv1D: "<prefix>/w" [1, in, out], "<prefix>/b" [out].
void add_conv1d_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t out,
                       Rng& rng, const torch::TensorOptions& options,
                       std::optional<double> w_stddev = std::nullopt);

// y = x·W + b over the last axis of x (hk.Linear; any leading dims).
torch::Tensor linear(const torch::Tensor& x, const ParamMap& params, const std::string& prefix);

// The name of hk.nets.MLP's i-th layer: "<prefix>/~/linear_<i>".
std::string mlp_layer(const std::string& prefix, size_t i);

// hk.nets.MLP: `layers` Linear layers with ReLU between them, none after the
// last. `from` > 0 continues an MLP whose first layers were applied elsewhere.
torch::Tensor mlp(torch::Tensor x, const ParamMap& params, const std::string& prefix,
                  size_t layers, size_t from = 0);

// Kernel-1 Conv1D over the last axis, i.e. the same map at every position:
// x [..., in] -> [..., out] with W = w[0].
torch::Tensor conv1d_k1(const torch::Tensor& x, const ParamMap& params, const std::string& prefix);

}  // namespace disco
