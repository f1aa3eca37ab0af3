#include "core/simd_tensors.h"

#include <vector>

namespace disco::simd {

std::optional<RowView> row_view(const torch::Tensor& x) {
  if (!enabled() || !x.defined() || x.dim() < 1 || !x.device().is_cpu() ||
      x.scalar_type() != torch::kFloat32 || (x.stride(-1) != 1 && x.size(-1) > 1)) {
    return std::nullopt;
  }
  // Leading axes (size > 1), folding each into the next where memory allows.
  std::vector<int64_t> sizes, strides;
  for (int64_t d = 0; d + 1 < x.dim(); ++d) {
    if (x.size(d) == 1) continue;
    if (!sizes.empty() && strides.back() == x.size(d) * x.stride(d)) {
      sizes.back() *= x.size(d);
      strides.back() = x.stride(d);
    } else {
      sizes.push_back(x.size(d));
      strides.push_back(x.stride(d));
    }
  }
  if (sizes.size() > 2) return std::nullopt;
  RowView v;
  v.data = x.data_ptr<float>();
  v.width = x.size(-1);
  v.rows = x.numel() / std::max<int64_t>(v.width, 1);
  if (sizes.size() == 1) {
    v.inner = sizes[0];
    v.inner_stride = strides[0];
  } else if (sizes.size() == 2) {
    v.inner = sizes[1];
    v.inner_stride = strides[1];
    v.outer_stride = strides[0];
  }
  if (x.numel() == 0) v.rows = 0;
  return v;
}

bool applies(std::initializer_list<const torch::Tensor*> tensors) {
  for (const torch::Tensor* t : tensors) {
    if (!row_view(*t) || t->sizes() != (*tensors.begin())->sizes()) return false;
  }
  return tensors.size() > 0;
}

bool contiguous(std::initializer_list<const torch::Tensor*> tensors) {
  for (const torch::Tensor* t : tensors) {
    if (!row_view(*t) || !t->is_contiguous()) return false;
  }
  return enabled();
}

}  // namespace disco::simd
