#include "rl/distributions.h"

#include "core/stop_gradient.h"
#include "rl/batch_lookup.h"

namespace disco::rl {
namespace {

// Σ p·x over the last axis with p = 0 terms dropped, so that x = -inf there
// gives neither NaN values nor NaN gradients.
torch::Tensor expectation_ignoring_zero_probs(const torch::Tensor& p, const torch::Tensor& x) {
  const torch::Tensor safe_x = torch::where(p > 0, x, torch::zeros_like(x));
  return (p * safe_x).sum(-1);
}

}  // namespace

torch::Tensor categorical_kl_divergence(const torch::Tensor& p_logits,
                                        const torch::Tensor& q_logits) {
  TORCH_CHECK(p_logits.sizes() == q_logits.sizes(), "categorical_kl_divergence: p_logits ",
              p_logits.sizes(), " and q_logits ", q_logits.sizes(), " must have the same shape");
  const torch::Tensor log_p = torch::log_softmax(p_logits, -1);
  const torch::Tensor log_q = torch::log_softmax(q_logits, -1);
  return expectation_ignoring_zero_probs(torch::exp(log_p), log_p - log_q);
}

torch::Tensor entropy(const torch::Tensor& logits) {
  const torch::Tensor log_p = torch::log_softmax(logits, -1);
  return -expectation_ignoring_zero_probs(torch::exp(log_p), log_p);
}

torch::Tensor categorical_log_prob(const torch::Tensor& logits, const torch::Tensor& actions) {
  return batch_lookup(torch::log_softmax(logits, -1), actions);
}

torch::Tensor importance_weight(const torch::Tensor& pi_logits, const torch::Tensor& mu_logits,
                                const torch::Tensor& actions) {
  const auto rho = torch::exp(categorical_log_prob(pi_logits, actions) -
                              categorical_log_prob(mu_logits, actions));
  return StopGradientsOff::off() ? rho : rho.detach();  // a constant, except in sensitivity analyses
}

}  // namespace disco::rl
