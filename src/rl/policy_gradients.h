// Policy-gradient losses (rlax/_src/policy_gradients.py and the reference's
// disco_rl/utils.differentiable_policy_gradient_loss). Time-major: logits
// [T, B, A], actions/advantages [T, B] (any leading shape works).
#pragma once

#include <torch/types.h>

namespace disco::rl {

// Per-step REINFORCE loss -log π(a_t|s_t)·adv_t -> [T, B] (Williams 1992), the
// reference's differentiable_policy_gradient_loss: with use_stop_gradient the
// advantage is a constant (its backprop = false).
torch::Tensor policy_gradient_loss_per_step(const torch::Tensor& logits_t, const torch::Tensor& a_t,
                                            const torch::Tensor& adv_t,
                                            bool use_stop_gradient = true);

// rlax.policy_gradient_loss: mean over all entries of -log π(a_t)·adv_t·w_t.
torch::Tensor policy_gradient_loss(const torch::Tensor& logits_t, const torch::Tensor& a_t,
                                   const torch::Tensor& adv_t, const torch::Tensor& w_t,
                                   bool use_stop_gradient = true);

// PPO's clipped surrogate per step (Schulman et al. 2017, arXiv:1707.06347):
// -min(r·adv, clip(r, 1-ε, 1+ε)·adv) with r = π/π_old of the taken action.
// NaN-ignoring min (fmin) as rlax.
torch::Tensor clipped_surrogate_pg_loss_per_step(const torch::Tensor& prob_ratios_t,
                                                 const torch::Tensor& adv_t, double epsilon,
                                                 bool use_stop_gradient = true);

// rlax.clipped_surrogate_pg_loss: the mean of the per-step loss above.
torch::Tensor clipped_surrogate_pg_loss(const torch::Tensor& prob_ratios_t,
                                        const torch::Tensor& adv_t, double epsilon,
                                        bool use_stop_gradient = true);

}  // namespace disco::rl
