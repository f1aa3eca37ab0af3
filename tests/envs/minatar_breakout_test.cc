// Hand-computed Breakout cases (rules of the original MinAtar breakout.py).
#include <gtest/gtest.h>

#include "envs/minatar/breakout.h"

namespace disco {
namespace {

MinAtarSettings no_sticky() {
  MinAtarSettings s;
  s.sticky_action_prob = 0.0;
  return s;
}

constexpr uint16_t kFullRow = 0x3ff;

BreakoutState full_bricks_state() {
  BreakoutState s;
  for (int r = 1; r <= 3; ++r) s.bricks[r] = kFullRow;
  return s;
}

BreakoutState ball_at(int row, int column, int drow, int dcolumn, int paddle) {
  BreakoutState s = full_bricks_state();
  s.ball_row = s.trail_row = row;
  s.ball_column = s.trail_column = column;
  s.ball_drow = drow;
  s.ball_dcolumn = dcolumn;
  s.paddle_column = paddle;
  return s;
}

int count_bricks(const BreakoutState& s) {
  int n = 0;
  for (uint16_t row : s.bricks) n += __builtin_popcount(row);
  return n;
}

bool brick(const BreakoutState& s, int row, int column) { return s.bricks[row] >> column & 1; }

TEST(MinAtarBreakout, ResetStartsInRowThreeFromEitherCornerHeadingDown) {
  Breakout env(no_sticky());
  bool seen_left = false, seen_right = false;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed);
    env.reset(rng);
    const BreakoutState& s = env.state();
    EXPECT_EQ(s.ball_row, 3);
    EXPECT_EQ(s.ball_drow, 1);
    EXPECT_EQ(s.paddle_column, 4);
    EXPECT_EQ(count_bricks(s), 30);
    EXPECT_EQ(s.bricks[1], kFullRow);
    EXPECT_EQ(s.bricks[3], kFullRow);
    EXPECT_EQ(s.trail_row, 3);
    EXPECT_EQ(s.trail_column, s.ball_column);
    if (s.ball_column == 0) {
      EXPECT_EQ(s.ball_dcolumn, 1);
      seen_left = true;
    } else {
      EXPECT_EQ(s.ball_column, 9);
      EXPECT_EQ(s.ball_dcolumn, -1);
      seen_right = true;
    }
  }
  EXPECT_TRUE(seen_left && seen_right);
}

TEST(MinAtarBreakout, MinimalActionsAreNoopLeftRight) {
  Breakout env(no_sticky());
  ASSERT_EQ(env.spec().num_actions, 3);
  EXPECT_EQ(env.action_names(), (std::vector<std::string>{"noop", "left", "right"}));
  Rng rng(1);
  env.reset(rng);
  env.step(2, rng);  // right
  EXPECT_EQ(env.state().paddle_column, 5);
  env.step(1, rng);  // left
  env.step(1, rng);
  EXPECT_EQ(env.state().paddle_column, 3);
}

TEST(MinAtarBreakout, SideWallFlipsHorizontalAndBallKeepsColumn) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(5, 0, 1, -1, 4));
  const StepOutcome out = env.step(0, rng);
  EXPECT_EQ(out.reward, 0.f);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(env.state().ball_row, 6);
  EXPECT_EQ(env.state().ball_column, 0);
  EXPECT_EQ(env.state().ball_dcolumn, 1);
  EXPECT_EQ(env.state().trail_row, 5);
  EXPECT_EQ(env.state().trail_column, 0);
}

TEST(MinAtarBreakout, BrickBreaksForOneAndBallStaysInItsRow) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(4, 5, -1, 1, 4));
  const StepOutcome out = env.step(0, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_FALSE(brick(env.state(), 3, 6));
  EXPECT_EQ(count_bricks(env.state()), 29);
  EXPECT_EQ(env.state().ball_row, 4);
  EXPECT_EQ(env.state().ball_column, 6);
  EXPECT_EQ(env.state().ball_drow, 1);  // now heading down
  EXPECT_EQ(env.state().strike, 1);
}

TEST(MinAtarBreakout, StrikeLatchPassesThroughBricksUntilAStepWithoutContact) {
  Breakout env(no_sticky());
  Rng rng(0);
  BreakoutState s = ball_at(4, 5, -1, 1, 4);
  s.strike = 1;  // the previous step broke a brick
  env.set_state(s);
  // Up-right through (3,6), (2,7), (1,8): bricks untouched, no reward.
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(env.step(0, rng).reward, 0.f);
    EXPECT_EQ(env.state().ball_row, 4 - k);
    EXPECT_EQ(env.state().ball_column, 5 + k);
    EXPECT_TRUE(brick(env.state(), 4 - k, 5 + k));
    EXPECT_EQ(env.state().strike, 1);
  }
  // (0,9): no brick, the latch clears.
  EXPECT_EQ(env.step(0, rng).reward, 0.f);
  EXPECT_EQ(env.state().ball_row, 0);
  EXPECT_EQ(env.state().ball_column, 9);
  EXPECT_EQ(env.state().strike, 0);
  // Corner: both walls reflect, the ball stays at (0,9), now down-left.
  env.step(0, rng);
  EXPECT_EQ(env.state().ball_row, 0);
  EXPECT_EQ(env.state().ball_column, 9);
  EXPECT_EQ(env.state().ball_drow, 1);
  EXPECT_EQ(env.state().ball_dcolumn, -1);
  // Down-left into (1,8) which still holds its brick: now it breaks.
  EXPECT_EQ(env.step(0, rng).reward, 1.f);
  EXPECT_FALSE(brick(env.state(), 1, 8));
  EXPECT_EQ(env.state().ball_row, 0);
  EXPECT_EQ(env.state().ball_column, 8);
  EXPECT_EQ(count_bricks(env.state()), 29);
}

TEST(MinAtarBreakout, BallFromAbovePaddleBouncesStraightBack) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(8, 4, 1, 1, 4));
  const StepOutcome out = env.step(0, rng);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(env.state().ball_row, 8);
  EXPECT_EQ(env.state().ball_column, 5);
  EXPECT_EQ(env.state().ball_drow, -1);
  EXPECT_EQ(env.state().ball_dcolumn, 1);
}

TEST(MinAtarBreakout, PaddleMovesBeforeTheBallIsChecked) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(8, 3, 1, 1, 2));
  EXPECT_FALSE(env.step(2, rng).terminal);  // right: paddle 3, under the ball's old column
  EXPECT_EQ(env.state().paddle_column, 3);
  EXPECT_EQ(env.state().ball_drow, -1);
  EXPECT_EQ(env.state().ball_dcolumn, 1);
}

TEST(MinAtarBreakout, BallLandingOnPaddleDiagonallyReversesBothWays) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(8, 3, 1, 1, 4));
  EXPECT_FALSE(env.step(0, rng).terminal);
  EXPECT_EQ(env.state().ball_row, 8);
  EXPECT_EQ(env.state().ball_column, 4);
  EXPECT_EQ(env.state().ball_drow, -1);
  EXPECT_EQ(env.state().ball_dcolumn, -1);
}

TEST(MinAtarBreakout, MissingThePaddleEndsTheEpisodeAndItStaysEnded) {
  Breakout env(no_sticky());
  Rng rng(0);
  env.set_state(ball_at(8, 0, 1, 1, 9));
  const StepOutcome out = env.step(0, rng);
  EXPECT_TRUE(out.terminal);
  EXPECT_EQ(out.reward, 0.f);
  EXPECT_EQ(env.state().ball_row, 9);
  EXPECT_EQ(env.state().ball_column, 1);
  EXPECT_TRUE(env.game_over());
  const BreakoutState before = env.state();
  const StepOutcome again = env.step(2, rng);
  EXPECT_TRUE(again.terminal);
  EXPECT_EQ(again.reward, 0.f);
  EXPECT_EQ(env.state().paddle_column, before.paddle_column);
}

TEST(MinAtarBreakout, BricksRefillWhenTheBallReachesTheBottomRowWithNoneLeft) {
  for (int paddle : {4, 0}) {  // refill happens whether or not the paddle catches
    Breakout env(no_sticky());
    Rng rng(0);
    BreakoutState s = ball_at(8, 4, 1, 1, paddle);
    s.bricks = {};
    env.set_state(s);
    const StepOutcome out = env.step(0, rng);
    EXPECT_EQ(out.terminal, paddle != 4);
    EXPECT_EQ(count_bricks(env.state()), 30);
    EXPECT_EQ(env.state().bricks[2], kFullRow);
  }
  // With any brick left, nothing refills.
  Breakout env(no_sticky());
  Rng rng(0);
  BreakoutState s = ball_at(8, 4, 1, 1, 4);
  s.bricks = {};
  s.bricks[1] = 1;
  env.set_state(s);
  env.step(0, rng);
  EXPECT_EQ(count_bricks(env.state()), 1);
}

TEST(MinAtarBreakout, ObservationChannelsArePaddleBallTrailBrick) {
  Breakout env(no_sticky());
  ASSERT_EQ(env.spec().observation_shape, (std::vector<int>{10, 10, 4}));
  Rng rng(0);
  BreakoutState s = ball_at(5, 2, 1, 1, 7);
  s.trail_row = 4;
  s.trail_column = 1;
  env.set_state(s);
  std::vector<float> obs(400);
  env.observe(obs.data());
  auto at = [&](int r, int c, int ch) { return obs[(r * 10 + c) * 4 + ch]; };
  EXPECT_EQ(at(9, 7, 0), 1.f);
  EXPECT_EQ(at(5, 2, 1), 1.f);
  EXPECT_EQ(at(4, 1, 2), 1.f);
  EXPECT_EQ(at(1, 0, 3), 1.f);
  EXPECT_EQ(at(3, 9, 3), 1.f);
  EXPECT_EQ(at(4, 0, 3), 0.f);
  float sum = 0;
  for (float x : obs) sum += x;
  EXPECT_EQ(sum, 33.f);  // paddle + ball + trail + 30 bricks
}

}  // namespace
}  // namespace disco
