#include "rl/policy_gradients.h"

#include "rl/distributions.h"

namespace disco::rl {

torch::Tensor policy_gradient_loss_per_step(const torch::Tensor& logits_t, const torch::Tensor& a_t,
                                            const torch::Tensor& adv_t, bool use_stop_gradient) {
  TORCH_CHECK(a_t.sizes() == adv_t.sizes(), "policy_gradient_loss: actions ", a_t.sizes(),
              " and advantages ", adv_t.sizes(), " must have the same shape");
  const torch::Tensor log_pi_a = categorical_log_prob(logits_t, a_t);
  return -log_pi_a * (use_stop_gradient ? adv_t.detach() : adv_t);
}

torch::Tensor policy_gradient_loss(const torch::Tensor& logits_t, const torch::Tensor& a_t,
                                   const torch::Tensor& adv_t, const torch::Tensor& w_t,
                                   bool use_stop_gradient) {
  return (policy_gradient_loss_per_step(logits_t, a_t, adv_t, use_stop_gradient) * w_t).mean();
}

torch::Tensor clipped_surrogate_pg_loss_per_step(const torch::Tensor& prob_ratios_t,
                                                 const torch::Tensor& adv_t, double epsilon,
                                                 bool use_stop_gradient) {
  TORCH_CHECK(prob_ratios_t.sizes() == adv_t.sizes(), "clipped_surrogate_pg_loss: ratios ",
              prob_ratios_t.sizes(), " and advantages ", adv_t.sizes(),
              " must have the same shape");
  const torch::Tensor adv = use_stop_gradient ? adv_t.detach() : adv_t;
  const torch::Tensor clipped_ratios = torch::clamp(prob_ratios_t, 1.0 - epsilon, 1.0 + epsilon);
  return -torch::fmin(prob_ratios_t * adv, clipped_ratios * adv);
}

torch::Tensor clipped_surrogate_pg_loss(const torch::Tensor& prob_ratios_t,
                                        const torch::Tensor& adv_t, double epsilon,
                                        bool use_stop_gradient) {
  return clipped_surrogate_pg_loss_per_step(prob_ratios_t, adv_t, epsilon, use_stop_gradient)
      .mean();
}

}  // namespace disco::rl
