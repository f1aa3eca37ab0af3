// Multistep return estimates on time-major trajectories
// (rlax/_src/multistep.py). rlax's convention: arrays named *_t hold the
// quantity at the END of each transition, so for the return G[t] from state t,
// r_t[t] = reward r_{t+1}, discount_t[t] = γ_{t+1}, v_t[t] = v(s_{t+1}).
// Shapes are [T, ...] (usually [T, B]); recursions run backwards in time as a
// loop over T, vectorised over everything else.
#pragma once

#include <torch/types.h>

namespace disco::rl {

// λ-returns (rlax.lambda_returns): G[T-1] = r_t[T-1] + discount_t[T-1]·v_t[T-1],
// G[t] = r_t[t] + discount_t[t]·((1 - λ[t])·v_t[t] + λ[t]·G[t+1]).
// r_t, discount_t, v_t [T, ...]; lambda a scalar or broadcastable to [T, ...].
torch::Tensor lambda_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                             const torch::Tensor& v_t, const torch::Tensor& lambda,
                             bool stop_target_gradients = false);
torch::Tensor lambda_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                             const torch::Tensor& v_t, double lambda = 1.0,
                             bool stop_target_gradients = false);

// Bootstrapped discounted returns (rlax.discounted_returns):
// G[t] = r_t[t] + discount_t[t]·G[t+1], bootstrapping from the last entry of
// v_t broadcast to discount_t's shape: v_t is [T, ...] or one bootstrap value
// per sequence ([...], e.g. [B]).
torch::Tensor discounted_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                                 const torch::Tensor& v_t, bool stop_target_gradients = false);

// Truncated GAE (Schulman et al. 2016 / PPO, arXiv:1707.06347;
// rlax.truncated_generalized_advantage_estimation):
// δ[t] = r_t[t] + discount_t[t]·values[t+1] - values[t],
// A[t] = δ[t] + discount_t[t]·λ·A[t+1], A[T] = 0.
// r_t, discount_t [T, ...], values [T+1, ...] -> [T, ...].
torch::Tensor truncated_generalized_advantage_estimation(const torch::Tensor& r_t,
                                                         const torch::Tensor& discount_t,
                                                         double lambda, const torch::Tensor& values,
                                                         bool stop_target_gradients = false);

// General off-policy returns from Q and V, exactly rlax's scan
// (rlax.general_off_policy_returns_from_q_and_v; Retrace when
// c = λ·min(1, π/μ), Munos et al. 2016, arXiv:1606.02647). For K states:
//   q_t [K-1, ...]   Q(s_{i+1}, a_{i+1}) at entry i   (NOT Q(s_i, a_i))
//   v_t [K, ...]     V(s_{i+1}) at entry i
//   r_t [K, ...]     r_{i+1},   discount_t [K, ...]  γ_{i+1}
//   c_t [K-1, ...]   c_{i+1} at entry i (the trace of the NEXT action)
// returns G [K, ...]: G[K-1] = r_t[K-1] + discount_t[K-1]·v_t[K-1],
//   G[i] = r_t[i] + discount_t[i]·(v_t[i] - c_t[i]·q_t[i] + c_t[i]·G[i+1]).
// Default stop_target_gradients = true (the reference's choice; rlax's own
// default is false): the whole result is detached.
torch::Tensor general_off_policy_returns_from_q_and_v(
    const torch::Tensor& q_t, const torch::Tensor& v_t, const torch::Tensor& r_t,
    const torch::Tensor& discount_t, const torch::Tensor& c_t, bool stop_target_gradients = true);

// Retrace Q targets in the update rule's transition convention, as the
// reference's value_utils.estimate_q_values builds them (it pads a dummy first
// step and drops it; slicing is equivalent). Entry t is transition t:
//   q_a [T, ...]        Q'(s_t, a_t) (target network, taken actions)
//   v [T+1, ...]        V'(s_t), including the bootstrap state s_T
//   r, discount [T, ...] reward and γ·(1 - is_terminal) of transition t
//   c [T, ...]          trace of transition t, e.g. λ·min(1, ρ_t)
// q_target[T-1] = r[T-1] + discount[T-1]·v[T];
// q_target[t] = r[t] + discount[t]·(v[t+1] - c[t+1]·q_a[t+1] + c[t+1]·q_target[t+1]).
// q_a[0] and c[0] do not enter (they belong to the state whose target this is).
torch::Tensor retrace_q_targets(const torch::Tensor& q_a, const torch::Tensor& v,
                                const torch::Tensor& r, const torch::Tensor& discount,
                                const torch::Tensor& c, bool stop_target_gradients = true);

}  // namespace disco::rl
