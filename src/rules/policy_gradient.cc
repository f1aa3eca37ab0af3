#include "rules/policy_gradient.h"

#include <torch/torch.h>

#include "rl/rl.h"

namespace disco {

PolicyGradient::PolicyGradient(PolicyGradientSettings settings) : settings_(settings) {
  ActorCritic check(settings_.value);  // validates the value settings
}

HeadSpecs PolicyGradient::flat_output_spec(int num_actions) const {
  const auto& v = settings_.value;
  return {{"logits", {num_actions}}, {"v", {v.categorical_value ? v.num_bins : 1}}};
}

MetaState PolicyGradient::init_meta_state(const ParamMap&) const {
  MetaState state;
  add_ema_state(state, "adv_ema");
  add_ema_state(state, "td_ema");
  return state;
}

std::pair<MetaOuts, MetaState> PolicyGradient::unroll_meta_net(const ParamMap&, const ParamMap&,
                                                               const MetaState& meta_state,
                                                               const UpdateRuleInputs& inputs,
                                                               const UnrollFn&) const {
  MetaState next = meta_state;
  const auto v = estimate_state_values(inputs, settings_.value, next);
  MetaOuts out = {{"pi", settings_.normalize_adv ? v.normalized_adv : v.adv},
                  {"tds", v.td},
                  {"values", v.values}};
  return {out, next};
}

LossOut PolicyGradient::agent_loss(const UpdateRuleInputs& in, const MetaOuts& m, bool) const {
  const auto t = in.rewards.size(0);
  const auto logits = in.agent_out.at("logits").slice(0, 0, t);
  const auto pg_loss =
      rl::policy_gradient_loss_per_step(logits, in.actions.slice(0, 0, t), m.at("pi"));
  const auto entropy = rl::entropy(logits);
  LossOut out;
  out.per_step = settings_.pg_cost * pg_loss - settings_.entropy_cost * entropy;
  out.log = {{"entropy", entropy.mean().detach()}, {"pg_loss", pg_loss.mean().detach()},
             {"pg_advs", m.at("pi").mean()}};
  return out;
}

LossOut PolicyGradient::agent_loss_no_meta(const UpdateRuleInputs& in, const MetaOuts& m) const {
  const auto t = in.rewards.size(0);
  const auto value_loss =
      value_loss_from_td(in.agent_out.at("v").slice(0, 0, t), m.at("tds").detach(), settings_.value);
  LossOut out;
  out.per_step = settings_.value.value_cost * value_loss;
  out.log = {{"value_loss", value_loss.mean().detach()}, {"avg_value", m.at("values").mean()}};
  return out;
}

}  // namespace disco
