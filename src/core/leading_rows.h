// leading_rows(x, n): x[:n] along the first axis, as x.slice(0, 0, n), with a
// cheaper backward pass. LibTorch's slice backward zero-fills a tensor of x's
// shape and then copies the gradient in: two passes over [T+1, B, 600]
// outputs for every loss that reads the first T steps. Here the gradient is
// joined with zeros for the remaining rows in one pass (torch::cat, itself
// differentiable, so recorded backward passes still give second
// derivatives).
#pragma once

#include <torch/types.h>

namespace disco {

torch::Tensor leading_rows(const torch::Tensor& x, int64_t n);

}  // namespace disco
