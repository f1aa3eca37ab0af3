// Categorical (softmax) distributions given by logits over the last axis
// (rlax/_src/distributions.py, which defers to distrax.Softmax).
#pragma once

#include <torch/types.h>

namespace disco::rl {

// KL(p‖q) = Σ softmax(p)·(log_softmax(p) - log_softmax(q)) over the last axis,
// [..., N] x [..., N] -> [...] (rlax.categorical_kl_divergence). Terms with
// p = 0 count as 0 (also in the gradient). Disco's pi/y/z/aux losses. The
// gradient is written out (softmax(q) - p for q), and differentiable again
// for meta-gradients.
torch::Tensor categorical_kl_divergence(const torch::Tensor& p_logits,
                                        const torch::Tensor& q_logits);

// Entropy -Σ softmax(l)·log_softmax(l) over the last axis, [..., N] -> [...]
// (distrax.Softmax.entropy).
torch::Tensor entropy(const torch::Tensor& logits);

// log softmax(logits)[a]: logits [..., A], actions [...] integer -> [...]
// (distrax.Softmax.log_prob).
torch::Tensor categorical_log_prob(const torch::Tensor& logits, const torch::Tensor& actions);

// rho = π(a|s)/μ(a|s) = exp(log π(a) - log μ(a)) with gradients stopped, as the
// reference's value_utils.importance_weight. pi_logits, mu_logits [..., A],
// actions [...] -> [...].
torch::Tensor importance_weight(const torch::Tensor& pi_logits, const torch::Tensor& mu_logits,
                                const torch::Tensor& actions);

}  // namespace disco::rl
