// Replay in the agents' updates (meta/population.h update_rollout): with a
// replay fraction, an update learns on the fresh trajectories of the agent's
// own small actor followed by trajectories drawn from its replay, which holds
// only what this lifetime collected; without, it is the on-policy rollout.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "meta/meta_update.h"
#include "meta/population.h"
#include "rules/disco_rule.h"

namespace {

using namespace disco;

MetaTrainSettings small_settings(double replay_fraction) {
  MetaTrainSettings s = default_meta_train_settings();
  s.net.dense = {16};
  s.net.lstm_size = 8;
  s.net.model_head_hiddens = {8};
  s.value.dense = {16};
  s.rollout = 4;
  s.batch = 4;
  s.inner_steps = 1;
  s.population = 1;
  s.replay_fraction = replay_fraction;
  s.replay_capacity = 8;
  return s;
}

// Column b of a rollout's observations: one trajectory.
torch::Tensor trajectory(const Rollout& r, int64_t b) { return r.observations.select(1, b); }

// Whether `t` equals a trajectory of any of `rollouts`.
bool among(const torch::Tensor& t, const std::vector<Rollout>& rollouts) {
  for (const auto& r : rollouts) {
    for (int64_t b = 0; b < r.observations.size(1); ++b) {
      if (torch::equal(t, trajectory(r, b))) return true;
    }
  }
  return false;
}

TEST(MetaReplay, AnUpdateIsTheFreshTrajectoriesThenOnesDrawnFromThisLifetimesReplay) {
  const auto s = small_settings(0.5);
  ASSERT_EQ(fresh_per_update(s), 2);
  const DiscoRule rule;
  const torch::Device cpu(torch::kCPU);
  auto a = make_agent(s, rule, 0, cpu);
  ASSERT_TRUE(a->replay && a->train_actor);
  auto twin = make_agent(s, rule, 0, cpu);  // the same fresh trajectories, collected apart

  std::vector<Rollout> fresh;
  for (int k = 0; k < 5; ++k) {
    EpisodeStats e1, e2;
    const int64_t before = a->experience;
    const Rollout r = update_rollout(*a, s, e1);
    fresh.push_back(twin->train_actor->collect(*twin->net, a->state.learner.params, e2));
    ASSERT_EQ(r.observations.size(1), s.batch);
    EXPECT_EQ(a->experience - before, 2 * s.rollout);  // only fresh steps are experience
    EXPECT_TRUE(torch::equal(r.observations.slice(1, 0, 2), fresh.back().observations));
    EXPECT_TRUE(torch::equal(r.agent_outs.at("logits").slice(1, 0, 2), fresh.back().agent_outs.at("logits")));
    for (int64_t b = 2; b < 4; ++b) EXPECT_TRUE(among(trajectory(r, b), fresh)) << "update " << k;
  }
  EXPECT_EQ(a->replay->size(), 8);  // capacity: the oldest dropped out

  // A new lifetime starts with an empty replay: its first update replays
  // only its own fresh trajectories.
  reset_agent(*a, s, rule, cpu);
  EXPECT_EQ(a->replay->size(), 0);
  EpisodeStats e;
  const Rollout r = update_rollout(*a, s, e);
  const std::vector<Rollout> own = {Rollout{r.observations.slice(1, 0, 2)}};
  for (int64_t b = 2; b < 4; ++b) EXPECT_TRUE(among(trajectory(r, b), own));
}

TEST(MetaReplay, WithoutReplayAnUpdateIsTheOnPolicyRollout) {
  const auto s = small_settings(0.0);
  const DiscoRule rule;
  const torch::Device cpu(torch::kCPU);
  auto a = make_agent(s, rule, 0, cpu);
  EXPECT_FALSE(a->replay || a->train_actor);
  auto twin = make_agent(s, rule, 0, cpu);
  EpisodeStats e1, e2;
  const Rollout r = update_rollout(*a, s, e1);
  const Rollout expected = twin->actor->collect(*twin->net, a->state.learner.params, e2);
  EXPECT_TRUE(torch::equal(r.observations, expected.observations));
  EXPECT_EQ(a->experience, s.batch * s.rollout);
}

TEST(MetaReplay, AFractionThatLeavesNoFreshTrajectoryIsRefused) {
  auto s = small_settings(0.9);  // 4 - round(3.6) = 0 fresh
  EXPECT_THROW(validate_meta_settings(s), std::invalid_argument);
  s.replay_fraction = 1.0;
  EXPECT_THROW(validate_meta_settings(s), std::invalid_argument);
  s = small_settings(0.5);
  s.replay_capacity = 2;
  EXPECT_THROW(validate_meta_settings(s), std::invalid_argument);
  s.replay_capacity = 8;
  EXPECT_NO_THROW(validate_meta_settings(s));
}

}  // namespace
