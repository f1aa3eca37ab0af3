#include "rl/vtrace.h"

#include <vector>

namespace disco::rl {
namespace {

void check_same_shape(const torch::Tensor& v_tm1, const torch::Tensor& v_t,
                      const torch::Tensor& r_t, const torch::Tensor& discount_t,
                      const torch::Tensor& rho_tm1) {
  TORCH_CHECK(v_tm1.dim() >= 1 && v_tm1.size(0) >= 1, "vtrace: inputs need a time axis; got ",
              v_tm1.sizes());
  for (const torch::Tensor* x : {&v_t, &r_t, &discount_t, &rho_tm1}) {
    TORCH_CHECK(x->sizes() == v_tm1.sizes(), "vtrace: all inputs must have v_tm1's shape ",
                v_tm1.sizes(), "; got ", x->sizes());
  }
}

}  // namespace

torch::Tensor vtrace(const torch::Tensor& v_tm1, const torch::Tensor& v_t, const torch::Tensor& r_t,
                     const torch::Tensor& discount_t, const torch::Tensor& rho_tm1, double lambda,
                     double clip_rho_threshold, bool stop_target_gradients) {
  check_same_shape(v_tm1, v_t, r_t, discount_t, rho_tm1);
  const torch::Tensor c_tm1 = torch::clamp_max(rho_tm1, 1.0) * lambda;
  const torch::Tensor clipped_rho_tm1 = torch::clamp_max(rho_tm1, clip_rho_threshold);
  const torch::Tensor td_errors = clipped_rho_tm1 * (r_t + discount_t * v_t - v_tm1);
  const torch::Tensor discounted_c = discount_t * c_tm1;

  const int64_t T = v_tm1.size(0);
  std::vector<torch::Tensor> errors(T);
  torch::Tensor acc = torch::zeros_like(td_errors[0]);
  for (int64_t t = T - 1; t >= 0; --t) {
    acc = td_errors[t] + discounted_c[t] * acc;
    errors[t] = acc;
  }
  const torch::Tensor stacked = torch::stack(errors);
  if (stop_target_gradients) return (stacked + v_tm1).detach() - v_tm1;
  return stacked;
}

VTraceOutput vtrace_td_error_and_advantage(const torch::Tensor& v_tm1, const torch::Tensor& v_t,
                                           const torch::Tensor& r_t,
                                           const torch::Tensor& discount_t,
                                           const torch::Tensor& rho_tm1, double lambda,
                                           double clip_rho_threshold, double clip_pg_rho_threshold,
                                           bool stop_target_gradients) {
  VTraceOutput out;
  out.errors = vtrace(v_tm1, v_t, r_t, discount_t, rho_tm1, lambda, clip_rho_threshold,
                      stop_target_gradients);
  const torch::Tensor targets_tm1 = out.errors + v_tm1;
  // Bootstrap from the next step's target mixed with its value; the last step
  // bootstraps from v_t.
  const torch::Tensor q_bootstrap = torch::cat(
      {lambda * targets_tm1.slice(0, 1) + (1.0 - lambda) * v_tm1.slice(0, 1), v_t.slice(0, -1)});
  out.q_estimate = r_t + discount_t * q_bootstrap;
  out.pg_advantage = torch::clamp_max(rho_tm1, clip_pg_rho_threshold) * (out.q_estimate - v_tm1);
  return out;
}

}  // namespace disco::rl
