#include "meta/value_function.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/stop_gradient.h"
#include "rl/distributions.h"
#include "rl/transforms.h"
#include "rl/vtrace.h"

namespace disco {
namespace {

AgentNetSettings value_net_settings(const MetaValueSettings& s) {
  AgentNetSettings net;
  net.dense = s.dense;
  net.module_name = "value_fn";
  return net;
}

InnerAdamSettings value_optimizer(const MetaValueSettings& s) {
  InnerAdamSettings opt;
  opt.learning_rate = s.learning_rate;
  opt.max_abs_update = s.max_abs_update;
  return opt;
}

}  // namespace

MetaValueFunction::MetaValueFunction(MetaValueSettings settings, std::vector<int> observation_shape)
    : settings_(std::move(settings)),
      net_(value_net_settings(settings_), std::move(observation_shape), /*num_actions=*/1,
           HeadSpecs{{"value", {1}}}, HeadSpecs{}),
      optimizer_(value_optimizer(settings_)) {
  const auto& s = settings_;
  if (!(s.discount >= 0 && s.discount <= 1) || !(s.td_lambda >= 0 && s.td_lambda <= 1)) {
    throw std::invalid_argument("meta value function: discount and td_lambda must lie in [0, 1]");
  }
  if (!(s.ema_decay >= 0 && s.ema_decay < 1)) {
    throw std::invalid_argument("meta value function: ema_decay must lie in [0, 1)");
  }
}

MetaValueState MetaValueFunction::init(uint64_t seed, torch::Device device) const {
  MetaValueState s;
  for (auto& [name, t] : net_.init(seed)) s.params[name] = t.to(device);
  s.opt = optimizer_.init(s.params);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  s.adv_ema = rl::ema_init(options);
  s.td_ema = rl::ema_init(options);
  return s;
}

MetaValueOuts MetaValueFunction::outs(const ParamMap& params, const rl::EmaState& adv_ema,
                                      const rl::EmaState& td_ema, const Rollout& rollout,
                                      const torch::Tensor& policy_logits) const {
  const auto& s = settings_;
  const int64_t l = rollout.rewards.size(0);
  TORCH_CHECK(l >= 2, "meta value function: a rollout needs at least 2 time steps, got ", l);
  MetaValueOuts o;
  o.v_raw = net_.unroll(params, rollout.observations, {"value"}).at("value").squeeze(-1);
  torch::NoGradGuard no_grad;
  // The value function's outputs are constants wherever they are used.
  o.value = stop_gradient(rl::signed_parabolic(o.v_raw));
  const auto first = [l](const torch::Tensor& x) { return x.slice(0, 0, l - 1); };
  const auto r_t = first(rollout.rewards);
  const auto discount_t = s.discount * first(rollout.discounts);
  o.rho = rl::importance_weight(first(policy_logits), first(rollout.agent_outs.at("logits")),
                                first(rollout.actions));
  o.rho = stop_gradient(o.rho);
  const auto vt = rl::vtrace_td_error_and_advantage(
      first(o.value), o.value.slice(0, 1), r_t, discount_t, o.rho, s.td_lambda,
      /*clip_rho_threshold=*/1.0, /*clip_pg_rho_threshold=*/1.0);
  o.adv = stop_gradient(vt.pg_advantage);
  o.td = stop_gradient(vt.errors);
  o.adv_ema = rl::ema_update(adv_ema, o.adv, s.ema_decay);
  o.td_ema = rl::ema_update(td_ema, o.td, s.ema_decay);
  o.normalized_adv = rl::ema_normalize(o.adv, o.adv_ema, s.ema_eps, /*subtract_mean=*/true);
  o.normalized_td = rl::ema_normalize(o.td, o.td_ema, s.ema_eps, /*subtract_mean=*/false);
  return o;
}

torch::Tensor MetaValueFunction::update(MetaValueState& state, const Rollout& rollout,
                                        const torch::Tensor& policy_logits) const {
  ParamMap params;
  std::vector<torch::Tensor> leaves;
  for (const auto& [name, t] : state.params) {
    params[name] = t.detach().requires_grad_(true);
    leaves.push_back(params[name]);
  }
  torch::Tensor loss;
  ParamMap grads;
  {
    torch::AutoGradMode grad_mode(true);
    const auto o = outs(params, state.adv_ema, state.td_ema, rollout, policy_logits.detach());
    const int64_t l = o.v_raw.size(0);
    const auto v_raw = o.v_raw.slice(0, 0, l - 1);
    const auto target = (v_raw + o.normalized_td).detach();
    loss = settings_.outer_value_cost * (0.5 * (v_raw - target).square()).mean();
    const auto g = torch::autograd::grad({loss}, leaves);
    size_t i = 0;
    for (const auto& [name, t] : state.params) grads[name] = g[i++];
    state.adv_ema = o.adv_ema;
    state.td_ema = o.td_ema;
  }
  torch::NoGradGuard no_grad;
  state.params = optimizer_.step(state.params, grads, state.opt);
  return loss.detach();
}

}  // namespace disco
