#include "rl/distributions.h"

#include <torch/torch.h>

#include "core/simd_tensors.h"
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

// KL with its gradient written out, which autograd would otherwise assemble
// from about ten passes over [..., N] (Disco's y and z losses are 600 wide):
//   ∂KL/∂q_logits = softmax(q) - p                  (Σp = 1)
//   ∂KL/∂p_logits = p·(log p - log q - KL)          (0 where p = 0)
// The backward pass uses differentiable ops; when it is itself recorded
// (create_graph: meta-gradients) it recomputes from the inputs, so second
// derivatives reach them. Where core/simd_rows applies, the forward pass and
// the unrecorded backward pass are its fused row kernels.
class CategoricalKl : public torch::autograd::Function<CategoricalKl> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                               const torch::Tensor& p_logits, const torch::Tensor& q_logits) {
    if (simd::applies({&p_logits, &q_logits})) {  // one fused pass per row
      const auto leading = p_logits.sizes().slice(0, p_logits.dim() - 1);
      auto kl = torch::empty(leading, p_logits.options());
      auto norm_p = torch::empty({kl.numel(), 2}, kl.options()), norm_q = torch::empty_like(norm_p);
      simd::categorical_kl(*simd::row_view(p_logits), *simd::row_view(q_logits),
                           kl.data_ptr<float>(), norm_p.data_ptr<float>(), norm_q.data_ptr<float>());
      ctx->save_for_backward({p_logits, q_logits, norm_p, norm_q, kl});
      ctx->saved_data["fused"] = true;
      return kl;
    }
    const auto [p, log_p, log_q, kl] = terms(p_logits, q_logits);
    ctx->save_for_backward({p_logits, q_logits, p, log_p, log_q, kl});
    ctx->saved_data["fused"] = false;
    return kl;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    const auto saved = ctx->get_saved_variables();
    const bool fused = ctx->saved_data["fused"].toBool();
    const auto p_rows = simd::row_view(saved[0]), q_rows = simd::row_view(saved[1]);
    if (fused && !torch::GradMode::is_enabled() && p_rows && q_rows) {
      const auto g = grad_out[0].to(torch::kFloat32).contiguous();
      torch::Tensor grad_p, grad_q;
      if (ctx->needs_input_grad(0)) grad_p = torch::empty(saved[0].sizes(), saved[0].options());
      if (ctx->needs_input_grad(1)) grad_q = torch::empty(saved[1].sizes(), saved[1].options());
      simd::categorical_kl_grads(*p_rows, *q_rows,
                                 saved[2].data_ptr<float>(), saved[3].data_ptr<float>(),
                                 saved[4].data_ptr<float>(), g.data_ptr<float>(),
                                 grad_p.defined() ? grad_p.data_ptr<float>() : nullptr,
                                 grad_q.defined() ? grad_q.data_ptr<float>() : nullptr);
      return {grad_p, grad_q};
    }
    auto [p, log_p, log_q, kl] = fused || torch::GradMode::is_enabled()
                                     ? terms(saved[0], saved[1])
                                     : Terms{saved[2], saved[3], saved[4], saved[5]};
    const auto g = grad_out[0].unsqueeze(-1);
    torch::Tensor grad_p, grad_q;
    if (ctx->needs_input_grad(0)) {
      const auto log_ratio = torch::where(p > 0, log_p - log_q, torch::zeros_like(log_p));
      grad_p = g * p * (log_ratio - kl.unsqueeze(-1));
    }
    if (ctx->needs_input_grad(1)) grad_q = g * (torch::exp(log_q) - p);
    return {grad_p, grad_q};
  }

 private:
  struct Terms {
    torch::Tensor p, log_p, log_q, kl;
  };
  static Terms terms(const torch::Tensor& p_logits, const torch::Tensor& q_logits) {
    const torch::Tensor log_p = torch::log_softmax(p_logits, -1);
    const torch::Tensor log_q = torch::log_softmax(q_logits, -1);
    const torch::Tensor p = torch::exp(log_p);
    return {p, log_p, log_q, expectation_ignoring_zero_probs(p, log_p - log_q)};
  }
};

}  // namespace

torch::Tensor categorical_kl_divergence(const torch::Tensor& p_logits,
                                        const torch::Tensor& q_logits) {
  TORCH_CHECK(p_logits.sizes() == q_logits.sizes(), "categorical_kl_divergence: p_logits ",
              p_logits.sizes(), " and q_logits ", q_logits.sizes(), " must have the same shape");
  return CategoricalKl::apply(p_logits, q_logits);
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
