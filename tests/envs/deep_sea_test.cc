#include "envs/deep_sea/deep_sea.h"

#include <gtest/gtest.h>

#include <vector>

#include "envs/registry.h"

namespace disco {
namespace {

DeepSea make(int size, bool randomize, int mapping_seed = -1) {
  DeepSeaSettings s;
  s.size = size;
  s.randomize_actions = randomize;
  s.mapping_seed = mapping_seed;
  return DeepSea(s);
}

TEST(DeepSea, SpecOfDefault) {
  auto env = make_env("deep_sea");
  EXPECT_EQ(env->spec().name, "deep_sea(mapping_seed=-1,randomize_actions=true,size=10)");
  EXPECT_EQ(env->spec().observation_shape, (std::vector<int>{10, 10}));
  EXPECT_EQ(env->spec().num_actions, 2);
  EXPECT_FLOAT_EQ(env->spec().min_reward, -0.001f);
  EXPECT_FLOAT_EQ(env->spec().max_reward, 0.999f);
  EXPECT_THROW(make_env("deep_sea(size=0)"), std::invalid_argument);
  EXPECT_THROW(make_env("deep_sea(mapping_seed=-2)"), std::invalid_argument);
}

TEST(DeepSea, EveryActionSequenceOfSizeFourHasTheHandComputedReturn) {
  // Unrandomised: action 1 is right. Each right costs 0.01 / 4; only the
  // all-right path reaches the bottom-right corner and its +1.
  for (int code = 0; code < 16; ++code) {
    DeepSea env = make(4, false);
    Rng rng(0);
    env.reset(rng);
    double total = 0;
    int rights = 0;
    for (int t = 0; t < 4; ++t) {
      const int action = (code >> t) & 1;
      rights += action;
      const StepOutcome out = env.step(action, rng);
      EXPECT_EQ(out.terminal, t == 3);
      EXPECT_FALSE(out.truncated);
      total += out.reward;
    }
    const double expected = -0.0025 * rights + (code == 15 ? 1.0 : 0.0);
    EXPECT_NEAR(total, expected, 1e-6) << "actions " << code;
  }
}

TEST(DeepSea, MovesOneRowDownAndOneColumnSidewaysClippedAtTheLeft) {
  DeepSea env = make(5, false);
  Rng rng(0);
  env.reset(rng);
  env.step(0, rng);  // left at column 0 stays at 0
  EXPECT_EQ(env.row(), 1);
  EXPECT_EQ(env.column(), 0);
  env.step(1, rng);
  env.step(1, rng);
  EXPECT_EQ(env.row(), 3);
  EXPECT_EQ(env.column(), 2);
  env.step(0, rng);
  EXPECT_EQ(env.column(), 1);
}

TEST(DeepSea, RandomMappingIsPerCellFixedAndFollowed) {
  DeepSea env = make(10, true, 3);
  int ones = 0;
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c) ones += env.right_action(r, c);
  EXPECT_GT(ones, 30);  // a fair coin per cell, not a constant
  EXPECT_LT(ones, 70);
  // Following the mapping reaches the treasure: return 1 - 0.01.
  Rng rng(1);
  for (int episode = 0; episode < 3; ++episode) {
    env.reset(rng);
    double total = 0;
    for (int t = 0; t < 10; ++t) {
      const int column = env.column();
      total += env.step(env.right_action(env.row(), column), rng).reward;
      EXPECT_EQ(env.column(), std::min(column + 1, 9));
    }
    EXPECT_NEAR(total, 0.99, 1e-5);
  }
  // The same mapping_seed gives the same mapping; another gives another.
  DeepSea same = make(10, true, 3);
  DeepSea other = make(10, true, 4);
  bool differs = false;
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c) {
      EXPECT_EQ(same.right_action(r, c), env.right_action(r, c));
      differs |= other.right_action(r, c) != env.right_action(r, c);
    }
  EXPECT_TRUE(differs);
}

TEST(DeepSea, PerEnvironmentMappingDiffersBetweenSlotsAndSurvivesEpisodes) {
  BatchedEnv batch = make_batched_env("deep_sea", 2);
  batch.reset(5);
  auto mapping = [&](int slot) {
    const auto& env = static_cast<const DeepSea&>(batch.env(slot));
    std::vector<int> m;
    for (int r = 0; r < 10; ++r)
      for (int c = 0; c < 10; ++c) m.push_back(env.right_action(r, c));
    return m;
  };
  const std::vector<int> first0 = mapping(0);
  EXPECT_NE(first0, mapping(1));
  for (int t = 0; t < 35; ++t) batch.step(std::vector<int>{t % 2, 1});  // 3 episodes and more
  EXPECT_EQ(mapping(0), first0);
}

TEST(DeepSea, ObservationIsTheAgentsCellAndEmptyAfterTheLastRow) {
  DeepSea env = make(3, false);
  Rng rng(0);
  env.reset(rng);
  std::vector<float> obs(9);
  env.observe(obs.data());
  EXPECT_EQ(obs, (std::vector<float>{1, 0, 0, 0, 0, 0, 0, 0, 0}));
  env.step(1, rng);
  env.observe(obs.data());
  EXPECT_EQ(obs, (std::vector<float>{0, 0, 0, 0, 1, 0, 0, 0, 0}));
  env.step(1, rng);
  env.step(1, rng);
  env.observe(obs.data());
  EXPECT_EQ(obs, std::vector<float>(9, 0.f));
}

}  // namespace
}  // namespace disco
