#include "rules/actor_critic.h"

#include <torch/torch.h>

#include <stdexcept>

#include "rl/rl.h"

namespace disco {
void add_ema_state(MetaState& state, const std::string& prefix) {
  rl::put_ema_state(state, prefix + "/", rl::ema_init());
}

torch::Tensor state_value_scalar(const torch::Tensor& v_out, const ActorCriticSettings& s) {
  auto v = s.categorical_value ? rl::categorical_value_to_scalar(v_out, s.max_abs_value)
                               : v_out.squeeze(-1);
  return s.nonlinear_value_transform ? rl::signed_parabolic(v) : v;
}

StateValueOuts estimate_state_values(const UpdateRuleInputs& in, const ActorCriticSettings& s,
                                     MetaState& meta_state) {
  torch::NoGradGuard no_grad;
  const auto t = in.rewards.size(0);
  StateValueOuts out;
  out.values = state_value_scalar(in.agent_out.at("v").detach(), s);
  const auto actions = in.actions.slice(0, 0, t);
  const auto rho = rl::importance_weight(in.agent_out.at("logits").slice(0, 0, t),
                                         in.behaviour_agent_out.at("logits").slice(0, 0, t), actions);
  const auto discounts = (1.0 - in.is_terminal) * s.discount_factor;
  // A cut episode bootstraps from the value of the observation it was cut on.
  auto rewards = in.rewards;
  if (in.truncated_agent_out.count("v")) {
    rewards = rewards + s.discount_factor * in.truncation_values(state_value_scalar(
                                                in.truncated_agent_out.at("v"), s));
  }
  const auto vt = rl::vtrace_td_error_and_advantage(out.values.slice(0, 0, t), out.values.slice(0, 1),
                                                    rewards, discounts, rho, s.vtrace_lambda);
  out.adv = vt.pg_advantage;
  out.value_target = vt.errors + out.values.slice(0, 0, t);
  out.td = out.value_target - out.values.slice(0, 0, t);
  const auto adv_ema = rl::ema_update(rl::get_ema_state(meta_state, "adv_ema/"), out.adv, s.ema_decay);
  const auto td_ema = rl::ema_update(rl::get_ema_state(meta_state, "td_ema/"), out.td, s.ema_decay);
  out.normalized_adv = rl::ema_normalize(out.adv, adv_ema, s.ema_eps);
  out.normalized_td = rl::ema_normalize(out.td, td_ema, s.ema_eps, /*subtract_mean=*/false);
  rl::put_ema_state(meta_state, "adv_ema/", adv_ema);
  rl::put_ema_state(meta_state, "td_ema/", td_ema);
  return out;
}

torch::Tensor value_loss_from_td(const torch::Tensor& v_out, const torch::Tensor& td,
                                 const ActorCriticSettings& s) {
  auto target = (state_value_scalar(v_out, s) + td).detach();
  if (s.nonlinear_value_transform) target = rl::signed_hyperbolic(target);
  if (s.categorical_value) {
    const auto probs = rl::transform_to_2hot(target, -s.max_abs_value, s.max_abs_value, s.num_bins);
    return rl::softmax_cross_entropy(v_out, probs.detach());
  }
  return 0.5 * (v_out.squeeze(-1) - target).square();
}

ActorCritic::ActorCritic(ActorCriticSettings settings) : settings_(settings) {
  if (settings_.normalize_td && settings_.categorical_value) {
    throw std::invalid_argument("actor_critic: normalize_td and categorical_value exclude each other");
  }
  if (settings_.categorical_value && (settings_.num_bins < 2 || settings_.max_abs_value <= 0)) {
    throw std::invalid_argument("actor_critic: need num_bins >= 2 and max_abs_value > 0");
  }
}

HeadSpecs ActorCritic::flat_output_spec(int num_actions) const {
  return {{"logits", {num_actions}}, {"v", {settings_.categorical_value ? settings_.num_bins : 1}}};
}

MetaState ActorCritic::init_meta_state(const ParamMap&) const {
  MetaState state;
  add_ema_state(state, "adv_ema");
  add_ema_state(state, "td_ema");
  return state;
}

std::pair<MetaOuts, MetaState> ActorCritic::unroll_meta_net(const ParamMap&, const ParamMap&,
                                                            const MetaState& meta_state,
                                                            const UpdateRuleInputs& inputs,
                                                            const UnrollFn&) const {
  MetaState next = meta_state;
  const auto v = estimate_state_values(inputs, settings_, next);
  MetaOuts out = {{"raw_advs", v.adv},          {"normalized_advs", v.normalized_adv},
                  {"value_target", v.value_target}, {"values", v.values},
                  {"tds", v.td},                {"normalized_tds", v.normalized_td}};
  return {out, next};
}

LossOut ActorCritic::agent_loss(const UpdateRuleInputs& in, const MetaOuts& m, bool) const {
  const auto t = in.rewards.size(0);
  const auto logits = in.agent_out.at("logits").slice(0, 0, t);
  const auto actions = in.actions.slice(0, 0, t);
  const auto& advs = settings_.normalize_adv ? m.at("normalized_advs") : m.at("raw_advs");
  const auto& tds = settings_.normalize_td ? m.at("normalized_tds") : m.at("tds");
  const auto value_loss = value_loss_from_td(in.agent_out.at("v").slice(0, 0, t), tds.detach(), settings_);
  const auto entropy = rl::entropy(logits);
  const auto pg_loss = rl::policy_gradient_loss_per_step(logits, actions, advs);
  LossOut out;
  out.per_step = settings_.pg_cost * pg_loss + settings_.value_cost * value_loss -
                 settings_.entropy_cost * entropy;
  out.log = {{"entropy", entropy.mean().detach()},
             {"pg_loss", pg_loss.mean().detach()},
             {"value_loss", value_loss.mean().detach()},
             {"avg_value", m.at("values").mean()}};
  return out;
}

}  // namespace disco
