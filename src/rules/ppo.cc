#include "rules/ppo.h"

#include <torch/torch.h>

#include <stdexcept>

#include "rl/rl.h"

namespace disco {

Ppo::Ppo(PpoSettings settings) : settings_(settings) {
  if (!(settings_.clip_coef > 0)) throw std::invalid_argument("ppo: clip_coef must be > 0");
  if (!(settings_.gamma >= 0 && settings_.gamma <= 1 && settings_.gae_lambda >= 0 &&
        settings_.gae_lambda <= 1)) {
    throw std::invalid_argument("ppo: gamma and gae_lambda must lie in [0, 1]");
  }
}

HeadSpecs Ppo::flat_output_spec(int num_actions) const {
  return {{"logits", {num_actions}}, {"v", {1}}};
}

std::pair<MetaOuts, MetaState> Ppo::unroll_meta_net(const ParamMap&, const ParamMap&,
                                                    const MetaState& meta_state,
                                                    const UpdateRuleInputs& in,
                                                    const UnrollFn&) const {
  torch::NoGradGuard no_grad;
  const auto values_old = in.behaviour_agent_out.at("v").squeeze(-1);  // [T+1, B]
  const auto discounts = (1.0 - in.is_terminal) * settings_.gamma;
  // A cut episode bootstraps from the value of the observation it was cut
  // on, as the learner's network gives it (the actor did not see it).
  auto rewards = in.rewards;
  if (in.truncated_agent_out.count("v")) {
    rewards = rewards + settings_.gamma *
                            in.truncation_values(in.truncated_agent_out.at("v").squeeze(-1));
  }
  const auto adv = rl::truncated_generalized_advantage_estimation(
      rewards, discounts, settings_.gae_lambda, values_old);
  const auto t = in.rewards.size(0);
  const auto returns = adv + values_old.slice(0, 0, t);
  auto pg_adv = adv;
  if (settings_.norm_adv) pg_adv = (adv - adv.mean()) / (adv.std() + 1e-8);
  return {{{"adv", adv}, {"pg_adv", pg_adv}, {"returns", returns}, {"values_old", values_old}},
          meta_state};
}

LossOut Ppo::agent_loss(const UpdateRuleInputs& in, const MetaOuts& m, bool) const {
  const auto t = in.rewards.size(0);
  const auto actions = in.actions.slice(0, 0, t);
  const auto logits = in.agent_out.at("logits").slice(0, 0, t);
  const auto logp = rl::categorical_log_prob(logits, actions);
  const auto logp_old =
      rl::categorical_log_prob(in.behaviour_agent_out.at("logits").slice(0, 0, t), actions);
  const auto ratio = torch::exp(logp - logp_old.detach());
  const auto pg_loss =
      rl::clipped_surrogate_pg_loss_per_step(ratio, m.at("pg_adv").detach(), settings_.clip_coef);
  const auto v = in.agent_out.at("v").slice(0, 0, t).squeeze(-1);
  const auto returns = m.at("returns").detach();
  auto v_loss = (v - returns).square();
  if (settings_.clip_vloss) {
    const auto v_old = m.at("values_old").slice(0, 0, t).detach();
    const auto v_clipped = v_old + (v - v_old).clamp(-settings_.clip_coef, settings_.clip_coef);
    v_loss = torch::max(v_loss, (v_clipped - returns).square());
  }
  v_loss = 0.5 * v_loss;
  const auto entropy = rl::entropy(logits);
  LossOut out;
  out.per_step = pg_loss + settings_.vf_coef * v_loss - settings_.ent_coef * entropy;
  {
    torch::NoGradGuard no_grad;
    out.log = {{"entropy", entropy.mean()},
               {"pg_loss", pg_loss.mean()},
               {"value_loss", v_loss.mean()},
               {"clip_fraction", ((ratio - 1.0).abs() > settings_.clip_coef).to(torch::kFloat).mean()},
               {"avg_value", v.mean()}};
  }
  return out;
}

}  // namespace disco
