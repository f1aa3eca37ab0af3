#include <gtest/gtest.h>

#include <vector>

#include "envs/catch/catch.h"
#include "envs/registry.h"

namespace disco {
namespace {

TEST(Catch, DefaultsAreTenByFive) {
  auto env = make_env("catch");
  EXPECT_EQ(env->spec().observation_shape, (std::vector<int>{10, 5}));
  EXPECT_EQ(env->spec().num_actions, 3);
  EXPECT_EQ(make_env("catch(rows=8,columns=8)")->spec().name, "catch(columns=8,rows=8)");
}

TEST(Catch, BallFallsOneRowPerStepAndPaddleStopsAtWalls) {
  Catch env(CatchSettings{5, 5});
  Rng rng(0);
  env.reset(rng);
  EXPECT_EQ(env.ball_row(), 0);
  EXPECT_EQ(env.paddle_column(), 2);
  env.step(0, rng);
  env.step(0, rng);
  env.step(0, rng);
  EXPECT_EQ(env.ball_row(), 3);
  EXPECT_EQ(env.paddle_column(), 0);  // 2 -> 1 -> 0 -> 0 (wall)
}

TEST(Catch, RewardIsPlusOneWhenCaughtMinusOneWhenMissed) {
  for (int target_offset : {0, 2}) {
    Catch env(CatchSettings{5, 5});
    Rng rng(7);
    env.reset(rng);
    const int goal = (env.ball_column() + target_offset) % 5;
    StepOutcome out;
    for (int t = 0; t < 4; ++t) {
      const int a = env.paddle_column() < goal ? 2 : env.paddle_column() > goal ? 0 : 1;
      out = env.step(a, rng);
      ASSERT_EQ(out.terminal, t == 3);
    }
    EXPECT_EQ(out.reward, target_offset == 0 ? 1.f : -1.f);
  }
}

TEST(Catch, ObservationMarksBallAndPaddle) {
  Catch env(CatchSettings{4, 3});
  Rng rng(1);
  env.reset(rng);
  std::vector<float> obs(12);
  env.observe(obs.data());
  std::vector<float> expected(12, 0.f);
  expected[env.ball_column()] = 1.f;
  expected[3 * 3 + 1] = 1.f;
  EXPECT_EQ(obs, expected);
}

TEST(Catch, RandomPolicyCatchesAboutOneInColumns) {
  BatchedEnv env = make_batched_env("catch(rows=5,columns=5)", 64);
  env.reset(0);
  Rng rng(1);
  std::vector<int> actions(64);
  double total = 0;
  int episodes = 0;
  for (int t = 0; t < 2000; ++t) {
    for (int& a : actions) a = rng.uniform_int(3);
    env.step(actions);
    for (int i = 0; i < 64; ++i) {
      if (env.done(i)) {
        total += env.finished_return(i);
        ++episodes;
        EXPECT_EQ(env.finished_length(i), 4);
      }
    }
  }
  const double mean = total / episodes;
  // A random walk from the centre catches clearly less than half the time.
  EXPECT_LT(mean, -0.2);
  EXPECT_GT(mean, -0.9);
}

}  // namespace
}  // namespace disco
