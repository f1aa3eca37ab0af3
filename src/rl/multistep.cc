#include "rl/multistep.h"

#include <vector>

namespace disco::rl {
namespace {

void check_time_major(const char* fn, const torch::Tensor& reference, const torch::Tensor& x,
                      int64_t extra_steps, const char* name) {
  TORCH_CHECK(x.dim() == reference.dim() && x.dim() >= 1 &&
                  x.size(0) == reference.size(0) + extra_steps &&
                  x.sizes().slice(1) == reference.sizes().slice(1),
              fn, ": ", name, " must have shape [T",
              (extra_steps > 0   ? "+1"
               : extra_steps < 0 ? "-1"
                                 : ""),
              ", ...] for r_t/discount_t of shape ", reference.sizes(), "; got ", x.sizes());
}

}  // namespace

torch::Tensor lambda_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                             const torch::Tensor& v_t, const torch::Tensor& lambda,
                             bool stop_target_gradients) {
  check_time_major("lambda_returns", discount_t, r_t, 0, "r_t");
  check_time_major("lambda_returns", discount_t, v_t, 0, "v_t");
  TORCH_CHECK(discount_t.size(0) >= 1, "lambda_returns: empty time axis");
  const torch::Tensor lambda_t = torch::ones_like(discount_t) * lambda;
  const int64_t T = r_t.size(0);
  std::vector<torch::Tensor> returns(T);
  torch::Tensor acc = v_t[T - 1];
  for (int64_t t = T - 1; t >= 0; --t) {
    acc = r_t[t] + discount_t[t] * ((1.0 - lambda_t[t]) * v_t[t] + lambda_t[t] * acc);
    returns[t] = acc;
  }
  torch::Tensor out = torch::stack(returns);
  return stop_target_gradients ? out.detach() : out;
}

torch::Tensor lambda_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                             const torch::Tensor& v_t, double lambda, bool stop_target_gradients) {
  return lambda_returns(r_t, discount_t, v_t, torch::scalar_tensor(lambda, discount_t.options()),
                        stop_target_gradients);
}

torch::Tensor discounted_returns(const torch::Tensor& r_t, const torch::Tensor& discount_t,
                                 const torch::Tensor& v_t, bool stop_target_gradients) {
  const torch::Tensor bootstrapped_v = torch::ones_like(discount_t) * v_t;
  return lambda_returns(r_t, discount_t, bootstrapped_v, 1.0, stop_target_gradients);
}

torch::Tensor truncated_generalized_advantage_estimation(const torch::Tensor& r_t,
                                                         const torch::Tensor& discount_t,
                                                         double lambda, const torch::Tensor& values,
                                                         bool stop_target_gradients) {
  const char* fn = "truncated_generalized_advantage_estimation";
  check_time_major(fn, discount_t, r_t, 0, "r_t");
  check_time_major(fn, discount_t, values, 1, "values");
  const int64_t T = r_t.size(0);
  const torch::Tensor delta_t = r_t + discount_t * values.slice(0, 1) - values.slice(0, 0, T);
  std::vector<torch::Tensor> advantages(T);
  torch::Tensor acc = torch::zeros_like(delta_t[0]);
  for (int64_t t = T - 1; t >= 0; --t) {
    acc = delta_t[t] + discount_t[t] * lambda * acc;
    advantages[t] = acc;
  }
  torch::Tensor out = torch::stack(advantages);
  return stop_target_gradients ? out.detach() : out;
}

torch::Tensor general_off_policy_returns_from_q_and_v(
    const torch::Tensor& q_t, const torch::Tensor& v_t, const torch::Tensor& r_t,
    const torch::Tensor& discount_t, const torch::Tensor& c_t, bool stop_target_gradients) {
  const char* fn = "general_off_policy_returns_from_q_and_v";
  check_time_major(fn, discount_t, r_t, 0, "r_t");
  check_time_major(fn, discount_t, v_t, 0, "v_t");
  check_time_major(fn, discount_t, q_t, -1, "q_t");
  check_time_major(fn, discount_t, c_t, -1, "c_t");
  const int64_t K = r_t.size(0);
  TORCH_CHECK(K >= 1, fn, ": empty time axis");

  std::vector<torch::Tensor> returns(K);
  torch::Tensor acc = r_t[K - 1] + discount_t[K - 1] * v_t[K - 1];
  returns[K - 1] = acc;
  for (int64_t i = K - 2; i >= 0; --i) {
    acc = r_t[i] + discount_t[i] * (v_t[i] - c_t[i] * q_t[i] + c_t[i] * acc);
    returns[i] = acc;
  }
  torch::Tensor out = torch::stack(returns);
  return stop_target_gradients ? out.detach() : out;
}

torch::Tensor retrace_q_targets(const torch::Tensor& q_a, const torch::Tensor& v,
                                const torch::Tensor& r, const torch::Tensor& discount,
                                const torch::Tensor& c, bool stop_target_gradients) {
  const char* fn = "retrace_q_targets";
  check_time_major(fn, discount, r, 0, "r");
  check_time_major(fn, discount, q_a, 0, "q_a");
  check_time_major(fn, discount, c, 0, "c");
  check_time_major(fn, discount, v, 1, "v");
  // Shift to rlax's convention: the return from state t uses the next state's
  // value, the next action's Q and the next trace.
  return general_off_policy_returns_from_q_and_v(q_a.slice(0, 1), v.slice(0, 1), r, discount,
                                                 c.slice(0, 1), stop_target_gradients);
}

}  // namespace disco::rl
