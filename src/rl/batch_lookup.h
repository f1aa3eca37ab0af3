// Selecting one entry per leading index along the action axis
// (the reference's disco_rl/utils.batch_lookup; rlax.batched_index).
#pragma once

#include <torch/types.h>

namespace disco::rl {

// values [d0, ..., dk-1, A, rest...], indices [d0, ..., dk-1] integer
// -> [d0, ..., dk-1, rest...] with out[i] = values[i, indices[i]].
// E.g. q [T, B, A, NB] with actions [T, B] gives [T, B, NB]. Gradients flow
// into the selected entries of `values`.
torch::Tensor batch_lookup(const torch::Tensor& values, const torch::Tensor& indices);

}  // namespace disco::rl
