// LibTorch tensors as the row views of core/simd_rows.h.
#pragma once

#include <torch/torch.h>

#include <optional>

#include "core/simd_rows.h"

namespace disco::simd {

// The rows of a float32 CPU tensor along its last axis, where that axis is
// contiguous and the leading axes fold into at most two strided levels (a
// contiguous tensor, or one narrowed along one leading axis); nullopt for
// anything else, and always where the kernels are off (simd::enabled()).
std::optional<RowView> row_view(const torch::Tensor& x);

// The kernels apply to every tensor given: row views all, of one shape.
bool applies(std::initializer_list<const torch::Tensor*> tensors);

// The kernels are on and every tensor given is a contiguous float32 CPU
// tensor (for kernels that take plain pointers; shapes are the caller's).
bool contiguous(std::initializer_list<const torch::Tensor*> tensors);

}  // namespace disco::simd
