// Actor-critic, policy gradient and PPO on a two-step case small enough to
// work out by hand: the expected numbers below are written out as scalar
// arithmetic from the papers' formulas, independent of the tensor code.
//   T = 2 transitions, B = 1, A = 2 actions, actions taken (0, 1),
//   values v = (0.5, 0.2, 0.1), rewards (1, 0.5), no termination,
//   γ = 0.9, λ = 0.8.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "rules/actor_critic.h"
#include "rules/policy_gradient.h"
#include "rules/ppo.h"

namespace disco {
namespace {

constexpr double kGamma = 0.9, kLambda = 0.8;
const std::vector<double> kV = {0.5, 0.2, 0.1};
const std::vector<double> kR = {1.0, 0.5};
const std::vector<int64_t> kActions = {0, 1, 0};

torch::Tensor column(const std::vector<double>& x) {  // [N] -> [N, 1] float64
  return torch::tensor(x, torch::kFloat64).unsqueeze(1);
}

// Logits [T+1, 1, 2] with log π(0) - log π(1) = d_t.
torch::Tensor logits(const std::vector<double>& d) { return torch::stack({column(d), torch::zeros({3, 1}, torch::kFloat64)}, -1); }

double log_pi(double d, int64_t a) {  // log softmax of (d, 0)
  const double z = std::log(std::exp(d) + 1.0);
  return (a == 0 ? d : 0.0) - z;
}

double entropy(double d) {
  const double p = std::exp(log_pi(d, 0)), q = 1 - p;
  return -(p * std::log(p) + q * std::log(q));
}

UpdateRuleInputs inputs(const std::vector<double>& d, const std::vector<double>& d_behaviour) {
  UpdateRuleInputs in;
  in.observations = torch::zeros({3, 1, 1}, torch::kFloat64);
  in.actions = torch::tensor(kActions, torch::kLong).unsqueeze(1);
  in.rewards = column(kR);
  in.is_terminal = torch::zeros({2, 1}, torch::kFloat64);
  in.agent_out["logits"] = logits(d);
  in.agent_out["v"] = column(kV).unsqueeze(-1);
  in.behaviour_agent_out["logits"] = logits(d_behaviour);
  in.behaviour_agent_out["v"] = column(kV).unsqueeze(-1);
  return in;
}

ActorCriticSettings scalar_values() {
  ActorCriticSettings s;
  s.discount_factor = kGamma;
  s.vtrace_lambda = kLambda;
  s.categorical_value = false;
  s.nonlinear_value_transform = false;
  return s;
}

// On-policy V-trace (ρ = c = 1): δ_t = r_t + γ v_{t+1} - v_t,
// vs_t = v_t + δ_t + γλ (vs_{t+1} - v_{t+1}); rlax's policy-gradient
// advantage r_t + γ (λ vs_{t+1} + (1-λ) v_{t+1}) - v_t (r_t + γ v_{t+1} - v_t
// at the last step).
struct OnPolicyTargets {
  double vs[2], adv[2];
};
OnPolicyTargets on_policy_targets(double r1_extra = 0.0, bool terminal1 = false) {
  OnPolicyTargets o;
  const double g1 = terminal1 ? 0.0 : kGamma;
  const double delta1 = kR[1] + r1_extra + g1 * kV[2] - kV[1];
  const double delta0 = kR[0] + kGamma * kV[1] - kV[0];
  o.vs[1] = kV[1] + delta1;
  o.vs[0] = kV[0] + delta0 + kGamma * kLambda * (o.vs[1] - kV[1]);
  o.adv[1] = delta1;
  o.adv[0] = kR[0] + kGamma * (kLambda * o.vs[1] + (1 - kLambda) * kV[1]) - kV[0];
  return o;
}

TEST(ActorCriticByHand, LossPerStep) {
  ActorCriticSettings s = scalar_values();
  const ActorCritic rule(s);
  const std::vector<double> d = {0.3, -0.4, 0.0};
  const auto in = inputs(d, d);
  const auto [outs, state] = rule.unroll_meta_net({}, {}, rule.init_meta_state({}), in, {});
  const auto loss = rule.agent_loss(in, outs, false).per_step;
  const auto o = on_policy_targets();
  for (int t = 0; t < 2; ++t) {
    EXPECT_NEAR(outs.at("raw_advs")[t][0].item<double>(), o.adv[t], 1e-12) << t;
    EXPECT_NEAR(outs.at("value_target")[t][0].item<double>(), o.vs[t], 1e-12) << t;
    const double expected = -log_pi(d[t], kActions[t]) * o.adv[t] * s.pg_cost +
                            s.value_cost * 0.5 * std::pow(kV[t] - o.vs[t], 2) -
                            s.entropy_cost * entropy(d[t]);
    EXPECT_NEAR(loss[t][0].item<double>(), expected, 1e-12) << t;
  }
}

// A time-limit cut at the last transition: discount 0 there, and the reward
// gains γ·v(s_cut).
TEST(ActorCriticByHand, CutTransitionBootstrapsFromTheCutObservation) {
  const ActorCritic rule(scalar_values());
  const std::vector<double> d = {0.3, -0.4, 0.0};
  auto in = inputs(d, d);
  in.is_terminal[1][0] = 1.0;
  in.truncated = torch::zeros({2, 1}, torch::kFloat64);
  in.truncated[1][0] = 1.0;
  in.truncated_agent_out["v"] = torch::full({1, 1}, 2.0, torch::kFloat64);
  const auto [outs, state] = rule.unroll_meta_net({}, {}, rule.init_meta_state({}), in, {});
  const auto o = on_policy_targets(/*r1_extra=*/kGamma * 2.0, /*terminal1=*/true);
  for (int t = 0; t < 2; ++t) {
    EXPECT_NEAR(outs.at("value_target")[t][0].item<double>(), o.vs[t], 1e-12) << t;
    EXPECT_NEAR(outs.at("raw_advs")[t][0].item<double>(), o.adv[t], 1e-12) << t;
  }
}

TEST(PolicyGradientByHand, LossPerStep) {
  PolicyGradientSettings s;
  s.value = scalar_values();
  s.normalize_adv = false;
  const PolicyGradient rule(s);
  const std::vector<double> d = {-0.2, 0.7, 0.0};
  const auto in = inputs(d, d);
  const auto [outs, state] = rule.unroll_meta_net({}, {}, rule.init_meta_state({}), in, {});
  const auto loss = rule.agent_loss(in, outs, false).per_step;
  const auto value_loss = rule.agent_loss_no_meta(in, outs).per_step;
  const auto o = on_policy_targets();
  for (int t = 0; t < 2; ++t) {
    EXPECT_NEAR(loss[t][0].item<double>(),
                -s.pg_cost * log_pi(d[t], kActions[t]) * o.adv[t] - s.entropy_cost * entropy(d[t]),
                1e-12)
        << t;
    EXPECT_NEAR(value_loss[t][0].item<double>(),
                s.value.value_cost * 0.5 * std::pow(kV[t] - o.vs[t], 2), 1e-12)
        << t;
  }
}

// PPO: GAE, advantages normalised over the batch (unbiased std, as torch and
// CleanRL), ratio against the behaviour policy clipped at 1 ± ε, value loss
// clipped around the behaviour values.
TEST(PpoByHand, LossPerStep) {
  PpoSettings s;
  s.gamma = kGamma;
  s.gae_lambda = kLambda;
  s.clip_coef = 0.2;
  const Ppo rule(s);
  // Step 0: π/π_old of action 0 far above 1 + ε (clipped); step 1: close to 1.
  const std::vector<double> d = {1.5, -0.05, 0.0}, d_old = {0.0, 0.0, 0.0};
  auto in = inputs(d, d_old);
  // The online values moved away from the behaviour ones: 0.5 -> 0.9 is
  // clipped to 0.7; 0.2 -> 0.25 is not.
  in.agent_out["v"] = column({0.9, 0.25, 0.1}).unsqueeze(-1);
  const auto [outs, state] = rule.unroll_meta_net({}, {}, {}, in, {});
  const auto loss = rule.agent_loss(in, outs, false).per_step;

  const double delta1 = kR[1] + kGamma * kV[2] - kV[1];
  const double delta0 = kR[0] + kGamma * kV[1] - kV[0];
  const double adv[2] = {delta0 + kGamma * kLambda * delta1, delta1};
  const double mean = (adv[0] + adv[1]) / 2;
  const double sd = std::sqrt((std::pow(adv[0] - mean, 2) + std::pow(adv[1] - mean, 2)) / 1.0);
  const double v_new[2] = {0.9, 0.25};
  for (int t = 0; t < 2; ++t) {
    EXPECT_NEAR(outs.at("adv")[t][0].item<double>(), adv[t], 1e-12) << t;
    const double pg_adv = (adv[t] - mean) / (sd + 1e-8);
    EXPECT_NEAR(outs.at("pg_adv")[t][0].item<double>(), pg_adv, 1e-9) << t;
    const double ratio = std::exp(log_pi(d[t], kActions[t]) - log_pi(d_old[t], kActions[t]));
    const double clipped = std::min(std::max(ratio, 1 - s.clip_coef), 1 + s.clip_coef);
    const double pg = -std::min(ratio * pg_adv, clipped * pg_adv);
    const double ret = adv[t] + kV[t];
    const double v_clipped = kV[t] + std::min(std::max(v_new[t] - kV[t], -s.clip_coef), s.clip_coef);
    const double vl = 0.5 * std::max(std::pow(v_new[t] - ret, 2), std::pow(v_clipped - ret, 2));
    const double expected = pg + s.vf_coef * vl - s.ent_coef * entropy(d[t]);
    EXPECT_NEAR(loss[t][0].item<double>(), expected, 1e-9) << t;
  }
  // The case exercises both sides of each clip.
  EXPECT_GT(std::exp(log_pi(d[0], 0) - log_pi(0, 0)), 1 + s.clip_coef);
  EXPECT_LT(std::abs(std::exp(log_pi(d[1], 1) - log_pi(0, 1)) - 1), s.clip_coef);
}

}  // namespace
}  // namespace disco
