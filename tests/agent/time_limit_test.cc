// Time-limit cuts are not terminations. One state, reward 1 on every step,
// episodes cut after 5 steps: the state's value is 1 / (1 - γ) whatever the
// step count (the cut does not end the return), here 5 with γ = 0.8. A
// learner that took the cut for a termination would learn the average of
// (1 - γ^k) / (1 - γ) over k = 1..5 remaining steps, 2.31 (measured: 2.1
// with the bootstrap switched off). Each rule's value
// learns 5 from rollouts with cuts in them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>

#include "agent/actor.h"
#include "agent/learner.h"
#include "rules/actor_critic.h"
#include "rules/disco_rule.h"
#include "rules/disco_value.h"
#include "rules/policy_gradient.h"
#include "rules/ppo.h"

namespace disco {
namespace {

constexpr double kGamma = 0.8;
constexpr int kLimit = 5;
constexpr double kTrueValue = 1.0 / (1.0 - kGamma);  // 5
constexpr double kBiasedValue = 2.31;                 // cuts read as terminations

class OneStateTimeLimit final : public Environment {
 public:
  OneStateTimeLimit() {
    spec_.name = "one_state_time_limit";
    spec_.observation_shape = {1};
    spec_.num_actions = 2;
    spec_.max_episode_steps = kLimit;
    spec_.max_reward = 1.f;
  }
  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng&) override {}
  StepOutcome step(int, Rng&) override { return {1.f, false, false}; }
  void observe(float* out) const override { out[0] = 1.f; }
  void save(StateWriter&) const override {}
  void load(StateReader&) override {}

 private:
  EnvSpec spec_;
};

BatchedEnv one_state_batch(int b) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < b; ++i) envs.push_back(std::make_unique<OneStateTimeLimit>());
  return BatchedEnv(std::move(envs));
}

AgentNetSettings small_net() {
  AgentNetSettings s;
  s.dense = {16};
  s.lstm_size = 8;
  s.model_head_hiddens = {8};
  return s;
}

// Trains on the environment; returns the learned value of its one state.
double learned_value(const UpdateRule& rule, const ParamMap& meta_params, int steps, double lr,
                     const std::function<double(const AgentOuts&)>& value_of) {
  torch::set_num_threads(1);
  const AgentNet net(small_net(), {1}, 2, rule.flat_output_spec(2), rule.model_output_spec(2));
  InnerAdamSettings adam;
  adam.learning_rate = lr;
  const InnerAdam opt(adam);
  LearnerState state = init_learner_state(net, rule, opt, 1, torch::kCPU);
  Actor actor(one_state_batch(8), 2, /*rollout_length=*/12, rule.behaviour_heads(), torch::kCPU);
  EpisodeStats stats;
  bool saw_cut = false;
  for (int k = 0; k < steps; ++k) {
    const Rollout batch = actor.collect(net, state.params, stats);
    saw_cut = saw_cut || (batch.truncated.defined() && batch.truncated.slice(0, 1).sum().item<double>() > 0);
    state = learner_step(net, rule, meta_params, opt, state, batch, false).next;
  }
  EXPECT_TRUE(saw_cut) << "the rollouts held no time-limit cut";
  torch::NoGradGuard no_grad;
  return value_of(net.forward(state.params, torch::ones({1, 1})));
}

ActorCriticSettings value_settings() {
  ActorCriticSettings s;
  s.discount_factor = kGamma;
  s.categorical_value = false;
  s.nonlinear_value_transform = false;
  s.normalize_td = false;
  return s;
}

TEST(TimeLimit, ActorCriticBootstrapsCutEpisodes) {
  const ActorCriticSettings s = value_settings();
  const ActorCritic rule(s);
  const double v = learned_value(rule, {}, 300, 1e-2, [&](const AgentOuts& o) {
    return state_value_scalar(o.at("v"), s).item<double>();
  });
  EXPECT_NEAR(v, kTrueValue, 0.4) << "a cut read as a termination gives about " << kBiasedValue;
}

TEST(TimeLimit, PolicyGradientBootstrapsCutEpisodes) {
  PolicyGradientSettings s;
  s.value = value_settings();
  const PolicyGradient rule(s);
  const double v = learned_value(rule, {}, 300, 1e-2, [&](const AgentOuts& o) {
    return state_value_scalar(o.at("v"), s.value).item<double>();
  });
  EXPECT_NEAR(v, kTrueValue, 0.4) << "a cut read as a termination gives about " << kBiasedValue;
}

TEST(TimeLimit, PpoBootstrapsCutEpisodes) {
  PpoSettings s;
  s.gamma = kGamma;
  s.clip_vloss = false;
  const Ppo rule(s);
  const double v = learned_value(rule, {}, 300, 1e-2, [](const AgentOuts& o) {
    return o.at("v").squeeze(-1).item<double>();
  });
  EXPECT_NEAR(v, kTrueValue, 0.4) << "a cut read as a termination gives about " << kBiasedValue;
}

// Disco's meta-network reads a cut as an episode end; its value (Retrace on
// q, bootstrapped at cuts) still learns the true value.
TEST(TimeLimit, DiscoValueBootstrapsCutEpisodes) {
  DiscoSettings s;
  s.value.value_discount = kGamma;
  s.value.max_abs_value = 10;  // 21 bins learn in a test's time; 601 do not
  s.value.num_bins = 21;
  s.net.prediction_size = 16;
  s.net.hidden_size = 16;
  s.net.meta_rnn_hidden_size = 16;
  const DiscoRule rule(s);
  const double v = learned_value(rule, rule.init_meta_params(3), 400, 2e-3, [&](const AgentOuts& o) {
    const auto pi = torch::softmax(o.at("logits"), -1);
    const auto q = categorical_to_value(o.at("q"), s.value.max_abs_value);
    return (pi * q).sum(-1).item<double>();
  });
  EXPECT_NEAR(v, kTrueValue, 0.4) << "a cut read as a termination gives about " << kBiasedValue;
}

}  // namespace
}  // namespace disco
