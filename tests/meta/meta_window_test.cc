// What a window larger than the inner steps means (meta/meta_update.h): an
// agent keeps its last W - N updates (the state before each and its rollout);
// its next meta-gradient is the unrolled meta-gradient through those stored
// updates and the N new ones, from the oldest stored state, with the current
// rule; and the agent ends where that replay ends.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "meta/meta_update.h"
#include "meta/population.h"
#include "rules/disco_rule.h"

namespace {

using namespace disco;

MetaTrainSettings small_settings() {
  MetaTrainSettings s = default_meta_train_settings();
  s.net.dense = {16};
  s.net.lstm_size = 8;
  s.net.model_head_hiddens = {8};
  s.value.dense = {16};
  s.rollout = 4;
  s.batch = 4;
  s.inner_steps = 1;
  s.window = 3;
  s.population = 1;
  return s;
}

torch::Tensor flat(const ParamMap& m) {
  std::vector<torch::Tensor> parts;
  for (const auto& [name, t] : m) parts.push_back(t.reshape(-1));
  return torch::cat(parts);
}

TEST(MetaWindow, TheMetaGradientUnrollsTheStoredUpdatesFromTheOldestState) {
  torch::manual_seed(0);
  const auto s = small_settings();
  const DiscoRule rule;
  const torch::Device cpu(torch::kCPU);
  auto a = make_agent(s, rule, 0, cpu);
  const ParamMap eta = rule.init_meta_params(7);
  agent_meta_step(*a, eta, s, rule, cpu);
  agent_meta_step(*a, eta, s, rule, cpu);
  ASSERT_EQ(a->history.size(), 2u);  // W - N stored updates

  // What the next meta-step sees: the stored updates, and (from a copy of the
  // actor) the fresh rollouts it will collect with the current parameters.
  const AgentState oldest = a->history.front().first;
  std::vector<Rollout> train = {a->history[0].second, a->history[1].second};
  auto twin = make_agent(s, rule, 0, cpu);
  twin->actor->restore_state(a->actor->save_state());
  EpisodeStats episodes;
  train.push_back(twin->actor->collect(*twin->net, a->state.learner.params, episodes));
  const Rollout valid = twin->actor->collect(*twin->net, a->state.learner.params, episodes, 2 * s.rollout);
  const AgentState current = a->state;

  const auto c = agent_meta_step(*a, eta, s, rule, cpu);
  const auto expected = twin->gradient->compute(eta, oldest, train, valid);
  EXPECT_TRUE(torch::equal(c.meta_grad, flat(expected.meta_grad)));
  EXPECT_TRUE(torch::equal(flat(a->state.learner.params), flat(expected.final_state.learner.params)));

  // Not the meta-gradient of the new update alone, from the current state.
  const auto fresh_only = twin->gradient->compute(eta, current, {train.back()}, valid);
  EXPECT_GT((c.meta_grad - flat(fresh_only.meta_grad)).abs().max().item<double>(), 0);
  // The window slid: the oldest stored update is the one after the old oldest.
  ASSERT_EQ(a->history.size(), 2u);
  EXPECT_TRUE(torch::equal(a->history[1].second.observations, train.back().observations));
}

}  // namespace
