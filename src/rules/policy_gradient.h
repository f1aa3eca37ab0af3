// Policy gradient as an update rule, as the reference's
// disco_rl/update_rules/policy_gradient.py: REINFORCE with an advantage
// baseline and an entropy bonus,
//   loss = pg_cost·(-log π(a_t)·adv_t) - entropy_cost·H(π(·|s_t)).
// The reference takes its advantages from a separately trained value
// function (rollout.value_out); here the agent carries that value head v
// (categorical, as actor-critic's) and trains it in agent_loss_no_meta,
// so the rule is self-contained. Advantages are V-trace's, normalised by
// their EMA statistics when normalize_adv (the reference's default).
//
// Settings (defaults = the reference's PolicyGradientUpdate):
//   entropy_cost     0.01
//   pg_cost          1.0
//   normalize_adv    true
//   value            ActorCriticSettings for the value head and V-trace
//                    (γ 0.997, λ 0.95, 601 bins, value_cost 0.5)
#pragma once

#include <string>
#include <utility>

#include "rules/actor_critic.h"

namespace disco {

struct PolicyGradientSettings {
  double entropy_cost = 0.01;
  double pg_cost = 1.0;
  bool normalize_adv = true;
  ActorCriticSettings value;
};

class PolicyGradient : public UpdateRule {
 public:
  explicit PolicyGradient(PolicyGradientSettings settings = {});

  std::string name() const override { return "policy_gradient"; }
  HeadSpecs flat_output_spec(int num_actions) const override;
  MetaState init_meta_state(const ParamMap& agent_params) const override;
  std::pair<MetaOuts, MetaState> unroll_meta_net(const ParamMap& meta_params,
                                                 const ParamMap& agent_params,
                                                 const MetaState& meta_state,
                                                 const UpdateRuleInputs& inputs,
                                                 const UnrollFn& unroll_agent) const override;
  LossOut agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                     bool backprop) const override;
  LossOut agent_loss_no_meta(const UpdateRuleInputs& inputs,
                             const MetaOuts& meta_outs) const override;

 private:
  PolicyGradientSettings settings_;
};

}  // namespace disco
