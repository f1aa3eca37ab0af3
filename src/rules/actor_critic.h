// Actor-critic as an update rule, as the reference's
// disco_rl/update_rules/actor_critic.py with its agent.py settings:
// V-trace advantages and value targets from a categorical state value head
// v [601 bins on -300..300] read through the signed hyperbolic transform.
//
//   loss = pg_cost·(-log π(a_t)·adv_t) + value_cost·CE(v_t, 2hot(h(v_t + td_t)))
//          - entropy_cost·H(π(·|s_t))                     (adv, td constants)
//
// Settings (defaults = get_settings_actor_critic()):
//   discount_factor            0.997   γ
//   vtrace_lambda              0.95    λ
//   entropy_cost               0.2
//   pg_cost                    1.0
//   value_cost                 0.5
//   categorical_value          true    v has num_bins logits (else 1 scalar)
//   num_bins                   601
//   max_abs_value              300
//   nonlinear_value_transform  true    signed hyperbolic h on values
//   normalize_adv              false   divide adv by its EMA statistics
//   normalize_td               false   (not with categorical_value)
//   ema_decay, ema_eps         0.99, 1e-6
#pragma once

#include <string>
#include <utility>

#include "rl/ema.h"
#include "rules/update_rule.h"

namespace disco {

struct ActorCriticSettings {
  double discount_factor = 0.997;
  double vtrace_lambda = 0.95;
  double entropy_cost = 0.2;
  double pg_cost = 1.0;
  double value_cost = 0.5;
  bool categorical_value = true;
  int64_t num_bins = 601;
  double max_abs_value = 300.0;
  bool nonlinear_value_transform = true;
  bool normalize_adv = false;
  bool normalize_td = false;
  double ema_decay = 0.99;
  double ema_eps = 1e-6;
};

// The state-value branch of the reference's value_utils.get_value_outs:
// V-trace over the online values (no target network), with EMA normalisers.
struct StateValueOuts {
  torch::Tensor values;          // [T+1, B] scalar values
  torch::Tensor adv;             // [T, B] V-trace policy-gradient advantages
  torch::Tensor normalized_adv;  // [T, B]
  torch::Tensor value_target;    // [T, B]
  torch::Tensor td;              // [T, B] value_target - values[:T]
  torch::Tensor normalized_td;   // [T, B]
};

// Value head output [.., num_bins or 1] -> scalar value [..].
torch::Tensor state_value_scalar(const torch::Tensor& v_out, const ActorCriticSettings& s);

// Computes values, V-trace targets and advantages (all constants) and
// advances the "adv_ema/..." and "td_ema/..." entries of `meta_state`.
StateValueOuts estimate_state_values(const UpdateRuleInputs& inputs, const ActorCriticSettings& s,
                                     MetaState& meta_state);

// Per-step value loss [T, B] for v_out [T, B, ..] towards stop_grad(v + td)
// (value_utils.value_loss_from_td).
torch::Tensor value_loss_from_td(const torch::Tensor& v_out, const torch::Tensor& td,
                                 const ActorCriticSettings& s);

// EMA entries for a fresh meta-state: "<prefix>/moment1" etc.
void add_ema_state(MetaState& state, const std::string& prefix);

class ActorCritic : public UpdateRule {
 public:
  explicit ActorCritic(ActorCriticSettings settings = {});

  std::string name() const override { return "actor_critic"; }
  HeadSpecs flat_output_spec(int num_actions) const override;
  MetaState init_meta_state(const ParamMap& agent_params) const override;
  std::pair<MetaOuts, MetaState> unroll_meta_net(const ParamMap& meta_params,
                                                 const ParamMap& agent_params,
                                                 const MetaState& meta_state,
                                                 const UpdateRuleInputs& inputs,
                                                 const UnrollFn& unroll_agent) const override;
  LossOut agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                     bool backprop) const override;

  const ActorCriticSettings& settings() const { return settings_; }

 private:
  ActorCriticSettings settings_;
};

}  // namespace disco
