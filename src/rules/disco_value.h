// Disco's value targets: the Q-value branch of the reference's
// disco_rl/value_fns/value_utils.get_value_outs with categorical Q heads and
// the signed hyperbolic transform, as DiscoUpdateRule.unroll_meta_net calls it.
//
//   q_value  = h⁻¹(E_softmax(q logits)[bins])  per action, bins -300..300
//   v        = Σ_a π(a)·q_value(a)  (online policy π; target_v from target Q)
//   q_target = Retrace(target Q at a_t, target_v, r, γ·(1 - terminal), λ·min(1, ρ))
//   adv      = q_target - target_v[:T],  qv_adv = target Q - target_v
//   q_td     = q_target - q_value[a_t]
//   normalised adv / qv_adv by the debiased adv EMA (after updating it with
//   adv), normalised q_td by the td EMA's scale (after updating it with q_td).
// Every output is a constant for differentiation (computed without a graph).
//
// Settings (defaults = Disco103):
//   value_discount  0.997   γ
//   td_lambda       0.95    Retrace λ
//   max_abs_value   300     categorical support [-300, 300]
//   num_bins        601     integer bins
//   ema_decay       0.99    advantage and TD normalisers
//   ema_eps         1e-6
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

#include "rl/ema.h"

namespace disco {

struct DiscoValueSettings {
  double value_discount = 0.997;
  double td_lambda = 0.95;
  double max_abs_value = 300.0;
  int64_t num_bins = 601;
  double ema_decay = 0.99;
  double ema_eps = 1e-6;
};

// Names as in the golden file's value_outs/.
struct DiscoValueOuts {
  torch::Tensor v_scalar;           // [T+1, B] Σ_a π·q_value
  torch::Tensor target_v_scalar;    // [T+1, B] Σ_a π·q
  torch::Tensor q_value;            // [T+1, B, A] online scalar Q
  torch::Tensor q;                  // [T+1, B, A] target scalar Q
  torch::Tensor qv_adv;             // [T+1, B, A]
  torch::Tensor normalized_qv_adv;  // [T+1, B, A]
  torch::Tensor rho;                // [T, B] π(a_t)/μ(a_t)
  torch::Tensor q_target;           // [T, B] Retrace targets
  torch::Tensor adv;                // [T, B]
  torch::Tensor normalized_adv;     // [T, B]
  torch::Tensor q_td;               // [T, B]
  torch::Tensor normalized_q_td;    // [T, B]

  std::map<std::string, torch::Tensor> as_map() const;
};

struct DiscoValueResult {
  DiscoValueOuts outs;
  rl::EmaState adv_ema;  // updated
  rl::EmaState td_ema;   // updated
};

// q_logits, target_q_logits [T+1, B, A, NB]; pi_logits (online), mu_logits
// (behaviour) [T+1, B, A]; actions [T+1, B]; rewards, is_terminal [T, B].
// cut_values [T, B] (optional): the value of the observation a time-limit
// cut ended on, at the cut transitions (zeros elsewhere); Retrace adds
// value_discount times it to the reward there, so a cut episode bootstraps.
// shards > 1: the categorical values (the bulk of the work, on every
// action's 601 bins) in that many blocks of trajectories side by side.
DiscoValueResult disco_value_outs(const torch::Tensor& q_logits,
                                  const torch::Tensor& target_q_logits,
                                  const torch::Tensor& pi_logits, const torch::Tensor& mu_logits,
                                  const torch::Tensor& actions, const torch::Tensor& rewards,
                                  const torch::Tensor& is_terminal, const rl::EmaState& adv_ema,
                                  const rl::EmaState& td_ema, const DiscoValueSettings& settings,
                                  const torch::Tensor& cut_values = {}, int shards = 1);

// Scalar values from categorical logits [..., NB]: h⁻¹ of the expectation on
// the support linspace(-max_abs_value, max_abs_value, NB).
torch::Tensor categorical_to_value(const torch::Tensor& logits, double max_abs_value);

// Per-step categorical value loss [T, B] (value_utils.value_loss_from_td):
// cross-entropy of q_a logits [T, B, NB] against the two-hot encoding of
// h(stop_grad(value(q_a) + td)).
torch::Tensor categorical_value_loss_from_td(const torch::Tensor& q_a_logits,
                                             const torch::Tensor& td, double max_abs_value);

}  // namespace disco
