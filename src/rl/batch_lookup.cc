#include "rl/batch_lookup.h"

#include <vector>

namespace disco::rl {

torch::Tensor batch_lookup(const torch::Tensor& values, const torch::Tensor& indices) {
  const int64_t axis = indices.dim();
  TORCH_CHECK(values.dim() > axis && values.sizes().slice(0, axis) == indices.sizes(),
              "batch_lookup: indices ", indices.sizes(),
              " must be a strict prefix of values' shape ", values.sizes());
  TORCH_CHECK(!indices.is_floating_point(), "batch_lookup: indices must be integers; got ",
              indices.scalar_type());
  // Give the indices values' rank (size 1 on the action axis), then gather.
  std::vector<int64_t> view_shape(indices.sizes().begin(), indices.sizes().end());
  view_shape.resize(values.dim(), 1);
  std::vector<int64_t> expand_shape(values.sizes().begin(), values.sizes().end());
  expand_shape[axis] = 1;
  const torch::Tensor index = indices.to(torch::kLong).reshape(view_shape).expand(expand_shape);
  return values.gather(axis, index).squeeze(axis);
}

}  // namespace disco::rl
