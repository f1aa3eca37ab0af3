// Two-hot categorical encoding of scalars (rlax/_src/transforms.py) and the
// cross-entropy used to train a categorical value head on it.
//
// A scalar x in [min, max] is spread over the two nearest of num_bins evenly
// spaced bins (linspace(min, max, num_bins)) so that the expectation of the
// bins under the two-hot distribution is x again.
//
// Which variant Disco uses. The reference (disco_rl/value_fns/value_utils.py,
// scalar_to_categorical_value and value_logits_to_scalar) calls
// rlax.transform_to_2hot / transform_from_2hot with min = -max_abs_value,
// max = +max_abs_value and num_bins = the head's size (Disco103: max_abs_value 300, 601 bins).
// Those bins are the integers -300..300, where the rlax formula reduces to the
// golden README's integer form: low = floor(x), up = ceil(x),
// p_low = (up - x)/(up - low + 1e-5), p_up = 1 - p_low. Both are provided:
// transform_to_2hot is rlax's general form; transform_to_2hot_integer_bins
// computes the integer form directly, following the golden README literally
// (in float32 the general form rescales x by (num_bins-1)/(max-min) and back,
// which moves bin weights by ~1e-5, and for |x| < ~1e-5 may round x + 300 onto
// a bin). Both reproduce the golden loss/value within its tolerance
// (tests/rl/golden_value_test.cc). Note the 1e-5 in both: on an exact bin, p_low = 0 and p_up = 1,
// and elsewhere the weights sum to 1 but miss the exact x by ~1e-5 relative.
#pragma once

#include <torch/types.h>

namespace disco::rl {

// scalar [...] -> probabilities [..., num_bins] (rlax.transform_to_2hot).
// scalar is clipped to [min_value, max_value]; gradients flow to scalar
// through the bin weights, as in rlax.
torch::Tensor transform_to_2hot(const torch::Tensor& scalar, double min_value, double max_value,
                                int64_t num_bins);

// probs [..., num_bins] -> expectation of the bins [...] (rlax.transform_from_2hot).
// The support is computed in float64 and cast to probs' dtype, so integer
// bins are exact.
torch::Tensor transform_from_2hot(const torch::Tensor& probs, double min_value, double max_value,
                                  int64_t num_bins);

// scalar [...] -> probabilities [..., 2·max_abs_value + 1] on the integer bins
// -max_abs_value..max_abs_value (the golden README's "loss/value" two-hot).
// max_abs_value must be a positive integer.
torch::Tensor transform_to_2hot_integer_bins(const torch::Tensor& scalar, int64_t max_abs_value);

// Categorical value logits [..., num_bins] -> scalar value [...]: expectation of
// softmax(logits) on linspace(-max_abs_value, max_abs_value, num_bins)
// (value_utils.value_logits_to_scalar).
torch::Tensor categorical_value_to_scalar(const torch::Tensor& logits, double max_abs_value);

// -Σ labels·log_softmax(logits) over the last axis (optax.softmax_cross_entropy),
// logits and labels [..., N] -> [...]. Gradients flow into both; detach the
// labels where the target is a constant.
torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace disco::rl
