// V-trace off-policy corrected TD errors and policy-gradient advantages
// (Espeholt et al. 2018, "IMPALA", arXiv:1802.01561; rlax/_src/vtrace.py).
//
// All arguments are time-major [T, ...] of one shape (typically [T, B]):
// entry t describes the transition from state t to state t+1, so v_tm1[t] =
// v(s_t), v_t[t] = v(s_{t+1}), r_t[t] and discount_t[t] arrive on that
// transition and rho_tm1[t] = π(a_t|s_t)/μ(a_t|s_t). The backward recursion is
// a loop over T; everything else is vectorised.
#pragma once

#include <torch/types.h>

namespace disco::rl {

struct VTraceOutput {
  torch::Tensor errors;        // [T, ...] v-trace target minus v_tm1
  torch::Tensor pg_advantage;  // [T, ...] min(clip_pg_rho, rho)·(q_estimate - v_tm1)
  torch::Tensor q_estimate;    // [T, ...] r_t + discount_t·(bootstrap of the next target)
};

// V-trace errors (rlax.vtrace): with c = lambda·min(1, rho) and
// δ = min(clip_rho_threshold, rho)·(r_t + discount_t·v_t - v_tm1),
// errors[t] = δ[t] + discount_t[t]·c[t]·errors[t+1], errors[T] = 0.
// With stop_target_gradients the result is stop_grad(errors + v_tm1) - v_tm1:
// gradients reach only v_tm1 (with weight -1), none reach v_t, r_t or rho.
torch::Tensor vtrace(const torch::Tensor& v_tm1, const torch::Tensor& v_t, const torch::Tensor& r_t,
                     const torch::Tensor& discount_t, const torch::Tensor& rho_tm1,
                     double lambda = 1.0, double clip_rho_threshold = 1.0,
                     bool stop_target_gradients = true);

// V-trace errors plus IMPALA's policy-gradient advantage
// (rlax.vtrace_td_error_and_advantage): with target = errors + v_tm1,
// q_estimate[t] = r_t[t] + discount_t[t]·(lambda·target[t+1] + (1-lambda)·v_tm1[t+1])
// for t < T-1 and r_t + discount_t·v_t at t = T-1. As in rlax, pg_advantage and
// q_estimate are NOT stop-gradiented here (only the errors' target is):
// policy-gradient losses stop them.
VTraceOutput vtrace_td_error_and_advantage(const torch::Tensor& v_tm1, const torch::Tensor& v_t,
                                           const torch::Tensor& r_t,
                                           const torch::Tensor& discount_t,
                                           const torch::Tensor& rho_tm1, double lambda = 1.0,
                                           double clip_rho_threshold = 1.0,
                                           double clip_pg_rho_threshold = 1.0,
                                           bool stop_target_gradients = true);

}  // namespace disco::rl
