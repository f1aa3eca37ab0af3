#include "rules/disco_value.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/parallel_shards.h"
#include "core/simd_tensors.h"
#include "core/stop_gradient.h"
#include "rl/batch_lookup.h"
#include "rl/distributions.h"
#include "rl/multistep.h"
#include "rl/transforms.h"
#include "rl/two_hot.h"

namespace disco {

std::map<std::string, torch::Tensor> DiscoValueOuts::as_map() const {
  return {{"v_scalar", v_scalar},
          {"target_v_scalar", target_v_scalar},
          {"q_value", q_value},
          {"q", q},
          {"qv_adv", qv_adv},
          {"normalized_qv_adv", normalized_qv_adv},
          {"rho", rho},
          {"q_target", q_target},
          {"adv", adv},
          {"normalized_adv", normalized_adv},
          {"q_td", q_td},
          {"normalized_q_td", normalized_q_td}};
}

torch::Tensor categorical_to_value(const torch::Tensor& logits, double max_abs_value) {
  // rl::categorical_value_to_scalar as one matrix-vector product with the
  // support: on [T+1, B, A, 601] q logits this avoids materialising
  // probs * support before the sum.
  if (!(max_abs_value > 0.0)) {
    throw std::invalid_argument("categorical_to_value: max_abs_value must be > 0");
  }
  const int64_t num_bins = logits.size(-1);
  const auto support =
      torch::linspace(-max_abs_value, max_abs_value, num_bins, logits.options().dtype(torch::kFloat64))
          .to(logits.scalar_type());
  if (!(logits.requires_grad() && torch::GradMode::is_enabled()) && simd::applies({&logits})) {
    // Without a graph: softmax and expectation fused per row, the [..., 601]
    // probabilities never written (core/simd_rows.h).
    auto expectation = torch::empty(logits.sizes().slice(0, logits.dim() - 1), logits.options());
    simd::softmax_expectation(*simd::row_view(logits), support.data_ptr<float>(),
                              expectation.data_ptr<float>());
    return rl::signed_parabolic(expectation);
  }
  return rl::signed_parabolic(torch::matmul(torch::softmax(logits, -1), support));
}

namespace {

// categorical_to_value on [T+1, B, ...] logits in up to `shards` blocks of
// the batch side by side, joined along it.
torch::Tensor categorical_to_value_in_blocks(const torch::Tensor& logits, double max_abs_value,
                                             int shards) {
  const int64_t batch = logits.size(1);
  const int n = block_count(batch, shards);
  if (n == 1) return categorical_to_value(logits, max_abs_value);
  std::vector<torch::Tensor> blocks(n);
  parallel_shards(n, [&](int k) {
    const RowBlock rows = row_block(batch, n, k);
    blocks[k] = categorical_to_value(logits.narrow(1, rows.start, rows.length), max_abs_value);
  });
  return torch::cat(blocks, 1);
}

}  // namespace

torch::Tensor categorical_value_loss_from_td(const torch::Tensor& q_a_logits,
                                             const torch::Tensor& td, double max_abs_value) {
  const int64_t num_bins = q_a_logits.size(-1);
  // The target is a constant: its expectation needs no graph (and so runs
  // fused, core/simd_rows.h), unless stop-gradients are switched off.
  const auto q_for_target = StopGradientsOff::off() ? q_a_logits : q_a_logits.detach();
  const auto target =
      rl::signed_hyperbolic(stop_gradient(categorical_to_value(q_for_target, max_abs_value) + td));
  // Integer bins (Disco103: 601 on [-300, 300]) use the integer two-hot form.
  const bool integer_bins = max_abs_value == std::floor(max_abs_value) &&
                            num_bins == 2 * static_cast<int64_t>(max_abs_value) + 1;
  const auto probs =
      integer_bins ? rl::transform_to_2hot_integer_bins(target, static_cast<int64_t>(max_abs_value))
                   : rl::transform_to_2hot(target, -max_abs_value, max_abs_value, num_bins);
  return rl::softmax_cross_entropy(q_a_logits, stop_gradient(probs));
}

DiscoValueResult disco_value_outs(const torch::Tensor& q_logits,
                                  const torch::Tensor& target_q_logits,
                                  const torch::Tensor& pi_logits, const torch::Tensor& mu_logits,
                                  const torch::Tensor& actions, const torch::Tensor& rewards,
                                  const torch::Tensor& is_terminal, const rl::EmaState& adv_ema,
                                  const rl::EmaState& td_ema, const DiscoValueSettings& s,
                                  const torch::Tensor& cut_values, int shards) {
  TORCH_CHECK(rewards.dim() == 2 && is_terminal.sizes() == rewards.sizes(),
              "disco values: rewards and is_terminal must both be [T, B]; got ", rewards.sizes(),
              " and ", is_terminal.sizes());
  const int64_t t = rewards.size(0);
  TORCH_CHECK(q_logits.dim() == 4 && q_logits.size(0) == t + 1 &&
                  q_logits.sizes() == target_q_logits.sizes(),
              "disco values: q and target q logits must be [T+1, B, A, NB] with T = ", t,
              "; got ", q_logits.sizes(), " and ", target_q_logits.sizes());
  TORCH_CHECK(q_logits.size(-1) == s.num_bins, "disco values: q logits have ", q_logits.size(-1),
              " bins, the settings say ", s.num_bins);
  // Value quantities are constants for the losses (unless a sensitivity
  // analysis has switched stop-gradients off: core/stop_gradient.h).
  const torch::AutoGradMode grad_mode(StopGradientsOff::off() && torch::GradMode::is_enabled());

  DiscoValueResult result;
  DiscoValueOuts& o = result.outs;
  const auto pi = torch::softmax(pi_logits, -1);
  o.q_value = categorical_to_value_in_blocks(q_logits, s.max_abs_value, shards);
  o.q = categorical_to_value_in_blocks(target_q_logits, s.max_abs_value, shards);
  o.v_scalar = (pi * o.q_value).sum(-1);
  o.target_v_scalar = (pi * o.q).sum(-1);

  const auto a_t = actions.slice(0, 0, t).to(torch::kLong);
  o.rho = rl::importance_weight(pi_logits.slice(0, 0, t), mu_logits.slice(0, 0, t), a_t);
  const auto discount = (1.0 - is_terminal) * s.value_discount;
  const auto c = s.td_lambda * torch::clamp_max(o.rho, 1.0);
  const auto target_q_a = rl::batch_lookup(o.q.slice(0, 0, t), a_t);
  const auto value_rewards =
      cut_values.defined() ? rewards + s.value_discount * cut_values : rewards;
  o.q_target = rl::retrace_q_targets(target_q_a, o.target_v_scalar, value_rewards, discount, c,
                                     /*stop_target_gradients=*/!StopGradientsOff::off());

  o.adv = o.q_target - o.target_v_scalar.slice(0, 0, t);
  o.qv_adv = o.q - o.target_v_scalar.unsqueeze(-1);
  o.q_td = o.q_target - rl::batch_lookup(o.q_value.slice(0, 0, t), a_t);

  result.adv_ema = rl::ema_update(adv_ema, o.adv, s.ema_decay);
  o.normalized_adv = rl::ema_normalize(o.adv, result.adv_ema, s.ema_eps);
  o.normalized_qv_adv = rl::ema_normalize(o.qv_adv, result.adv_ema, s.ema_eps);
  result.td_ema = rl::ema_update(td_ema, o.q_td, s.ema_decay);
  o.normalized_q_td = rl::ema_normalize(o.q_td, result.td_ema, s.ema_eps, /*subtract_mean=*/false);
  // Constants for every use, also where the caller records a graph.
  for (auto* x : {&o.v_scalar, &o.target_v_scalar, &o.q_value, &o.q, &o.qv_adv,
                  &o.normalized_qv_adv, &o.rho, &o.q_target, &o.adv, &o.normalized_adv, &o.q_td,
                  &o.normalized_q_td}) {
    *x = stop_gradient(*x);
  }
  for (auto* e : {&result.adv_ema, &result.td_ema}) {
    e->moment1 = stop_gradient(e->moment1);
    e->moment2 = stop_gradient(e->moment2);
    e->decay_product = stop_gradient(e->decay_product);
  }
  return result;
}

}  // namespace disco
