// The shared MinAtar wrapper: action sets, sticky actions, parameters.
// Breakout serves as the probe game (no randomness of its own after reset).
#include <gtest/gtest.h>

#include "envs/minatar/breakout.h"
#include "envs/registry.h"

namespace disco {
namespace {

MinAtarSettings sticky(double p, bool full = false) {
  MinAtarSettings s;
  s.sticky_action_prob = p;
  s.full_action_set = full;
  return s;
}

BreakoutState ball_in_the_middle() {
  BreakoutState s;
  s.ball_row = s.trail_row = 5;
  s.ball_column = s.trail_column = 2;
  s.ball_drow = -1;  // heading up: nothing ends the game for a few steps
  return s;
}

TEST(MinAtarGame, FullActionSetHasSixActionsInTheOriginalOrder) {
  Breakout env(sticky(0.0, /*full=*/true));
  EXPECT_EQ(env.spec().num_actions, 6);
  EXPECT_EQ(env.action_names(),
            (std::vector<std::string>{"noop", "left", "up", "right", "down", "fire"}));
  Rng rng(0);
  env.set_state(ball_in_the_middle());
  env.step(kRight, rng);
  env.step(kUp, rng);  // not a Breakout action: acts as a no-op
  EXPECT_EQ(env.state().paddle_column, 5);
  EXPECT_EQ(env.full_action(2), kUp);
  EXPECT_EQ(Breakout(sticky(0.0)).full_action(2), kRight);
}

TEST(MinAtarGame, StickyProbabilityOneAlwaysRepeatsThePreviousActionStartingAtNoop) {
  Breakout env(sticky(1.0));
  Rng rng(0);
  env.set_state(ball_in_the_middle());
  for (int t = 0; t < 3; ++t) env.step(2, rng);  // asks right, gets no-op
  EXPECT_EQ(env.state().paddle_column, 4);
  EXPECT_EQ(env.previous_action(), kNoop);
}

TEST(MinAtarGame, PreviousActionIsTheExecutedOneAndSurvivesReset) {
  Breakout env(sticky(0.0));
  Rng rng(0);
  env.set_state(ball_in_the_middle());
  env.step(2, rng);
  EXPECT_EQ(env.previous_action(), kRight);
  env.reset(rng);
  EXPECT_EQ(env.previous_action(), kRight);
}

TEST(MinAtarGame, StickyRepeatRateMatchesTheProbability) {
  // Alternate right/left requests with p = 1/4. Step t executes something
  // other than its request only if it is sticky (p) AND step t-1 executed its
  // own request (the other action). So the mismatch rate m solves
  // m = p (1 - m): m = p / (1 + p) = 0.2.
  Breakout env(sticky(0.25));
  Rng rng(123);
  const int n = 20000;
  int mismatches = 0;
  for (int t = 0; t < n; ++t) {
    env.set_state(ball_in_the_middle());
    const int request = t % 2 ? 1 : 2;
    env.step(request, rng);
    mismatches += env.previous_action() != env.full_action(request);
  }
  EXPECT_NEAR(mismatches, n * 0.2, 400);  // binomial sd ~ 57
}

TEST(MinAtarGame, EveryStepDrawsOnceEvenAfterTheGameEnded) {
  Breakout env(sticky(0.0));
  Rng rng(9), expected(9);
  env.set_state(ball_in_the_middle());
  env.step(0, rng);
  expected.next_u64();
  EXPECT_TRUE(rng == expected);
  BreakoutState s = ball_in_the_middle();
  s.ball_row = 8;
  s.ball_drow = 1;
  s.paddle_column = 9;
  env.set_state(s);
  EXPECT_TRUE(env.step(0, rng).terminal);
  const StepOutcome after = env.step(2, rng);
  EXPECT_TRUE(after.terminal);
  EXPECT_EQ(after.reward, 0.f);
  EXPECT_EQ(env.previous_action(), kRight);
  for (int i = 0; i < 2; ++i) expected.next_u64();
  EXPECT_TRUE(rng == expected);
}

TEST(MinAtarGame, ParametersAreReadCheckedAndNamedCanonically) {
  auto env = make_env("minatar_breakout(sticky_action_prob=0.25,full_action_set=true)");
  EXPECT_EQ(env->spec().num_actions, 6);
  EXPECT_EQ(env->spec().name,
            "minatar_breakout(difficulty_ramping=true,full_action_set=true,sticky_action_prob=0.25)");
  EXPECT_EQ(make_env("minatar_freeway")->spec().name,
            "minatar_freeway(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)");
  EXPECT_THROW(make_env("minatar_asterix(sticky_action_prob=1.5)"), std::invalid_argument);
  EXPECT_THROW(make_env("minatar_asterix(sticky_action_prob=-0.1)"), std::invalid_argument);
  EXPECT_THROW(make_env("minatar_asterix(full_action_set=maybe)"), std::invalid_argument);
  EXPECT_THROW(make_env("minatar_asterix(ramping=false)"), std::invalid_argument);
}

}  // namespace
}  // namespace disco
