// Hand-computed Asterix cases (rules of the original MinAtar asterix.py).
#include <gtest/gtest.h>

#include "envs/minatar/asterix.h"

namespace disco {
namespace {

MinAtarSettings settings(bool ramping = true) {
  MinAtarSettings s;
  s.sticky_action_prob = 0.0;
  s.difficulty_ramping = ramping;
  return s;
}

// Minimal action indices: 0 noop, 1 left, 2 up, 3 right, 4 down.
constexpr int kNoopA = 0, kLeftA = 1, kUpA = 2, kRightA = 3, kDownA = 4;
constexpr int kNever = 1000000;  // a timer that does not run out in a test

AsterixState quiet_state() {
  AsterixState s;
  s.spawn_timer = kNever;
  s.move_timer = kNever;
  return s;
}

AsterixObject object(int column, bool moving_right, bool gold) {
  AsterixObject o;
  o.present = 1;
  o.column = static_cast<int8_t>(column);
  o.moving_right = moving_right;
  o.gold = gold;
  return o;
}

int count_objects(const AsterixState& s) {
  int n = 0;
  for (const AsterixObject& o : s.lanes) n += o.present;
  return n;
}

TEST(MinAtarAsterix, ResetPlacesPlayerAtFiveFiveWithNoObjects) {
  Asterix env(settings());
  Rng rng(3);
  env.reset(rng);
  EXPECT_EQ(env.state().player_row, 5);
  EXPECT_EQ(env.state().player_column, 5);
  EXPECT_EQ(count_objects(env.state()), 0);
  EXPECT_EQ(env.spec().num_actions, 5);
  EXPECT_EQ(env.spec().observation_shape, (std::vector<int>{10, 10, 4}));
}

TEST(MinAtarAsterix, FirstSpawnAtStepElevenThenEveryTenAndObjectsMoveFromStepSix) {
  Asterix env(settings());
  Rng rng(5);
  env.reset(rng);
  // The player stays at (5, 5); no object can reach column 5 by step 21.
  for (int t = 1; t <= 10; ++t) {
    env.step(kNoopA, rng);
    EXPECT_EQ(count_objects(env.state()), 0) << "step " << t;
  }
  env.step(kNoopA, rng);  // step 11: spawn, then the move of step 11 (6, 11, 16, ...)
  ASSERT_EQ(count_objects(env.state()), 1);
  for (const AsterixObject& o : env.state().lanes) {
    if (!o.present) continue;
    EXPECT_EQ(o.column, o.moving_right ? 1 : 8);
  }
  for (int t = 12; t <= 20; ++t) ASSERT_FALSE(env.step(kNoopA, rng).terminal);
  EXPECT_EQ(count_objects(env.state()), 1);
  ASSERT_FALSE(env.step(kNoopA, rng).terminal);  // step 21: second spawn
  EXPECT_EQ(count_objects(env.state()), 2);
}

TEST(MinAtarAsterix, PlayerMovesOneCellAndStaysInRowsOneToEight) {
  Asterix env(settings());
  Rng rng(0);
  AsterixState s = quiet_state();
  s.player_row = 1;
  s.player_column = 0;
  env.set_state(s);
  env.step(kUpA, rng);
  env.step(kLeftA, rng);
  EXPECT_EQ(env.state().player_row, 1);
  EXPECT_EQ(env.state().player_column, 0);
  for (int i = 0; i < 12; ++i) env.step(kDownA, rng);
  for (int i = 0; i < 12; ++i) env.step(kRightA, rng);
  EXPECT_EQ(env.state().player_row, 8);
  EXPECT_EQ(env.state().player_column, 9);
}

TEST(MinAtarAsterix, WalkingOntoGoldGivesOneAndRemovesIt) {
  Asterix env(settings());
  Rng rng(0);
  AsterixState s = quiet_state();
  s.lanes[4] = object(6, false, true);  // lane 4 = row 5
  env.set_state(s);
  const StepOutcome out = env.step(kRightA, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(count_objects(env.state()), 0);
}

TEST(MinAtarAsterix, GoldMovingOntoThePlayerIsCollected) {
  Asterix env(settings());
  Rng rng(0);
  AsterixState s = quiet_state();
  s.move_timer = 0;
  s.lanes[4] = object(4, true, true);
  env.set_state(s);
  EXPECT_EQ(env.step(kNoopA, rng).reward, 1.f);
  EXPECT_EQ(count_objects(env.state()), 0);
  EXPECT_EQ(env.state().move_timer, 4);  // reset to the period 5, then dropped by 1
}

TEST(MinAtarAsterix, EnemyContactEndsTheEpisodeEitherWay) {
  {
    Asterix env(settings());
    Rng rng(0);
    AsterixState s = quiet_state();
    s.lanes[3] = object(5, true, false);  // row 4, column 5: above the player
    env.set_state(s);
    const StepOutcome out = env.step(kUpA, rng);
    EXPECT_TRUE(out.terminal);
    EXPECT_EQ(out.reward, 0.f);
  }
  {
    Asterix env(settings());
    Rng rng(0);
    AsterixState s = quiet_state();
    s.move_timer = 0;
    s.lanes[4] = object(6, false, false);  // moving left onto (5, 5)
    env.set_state(s);
    EXPECT_TRUE(env.step(kNoopA, rng).terminal);
  }
  {  // An enemy beside the player that does not move this step is harmless.
    Asterix env(settings());
    Rng rng(0);
    AsterixState s = quiet_state();
    s.lanes[4] = object(6, false, false);
    env.set_state(s);
    EXPECT_FALSE(env.step(kNoopA, rng).terminal);
  }
}

TEST(MinAtarAsterix, ObjectsLeaveTheBoardPastTheEdge) {
  Asterix env(settings());
  Rng rng(0);
  AsterixState s = quiet_state();
  s.move_timer = 0;
  s.lanes[0] = object(9, true, false);
  s.lanes[1] = object(0, false, true);
  s.lanes[2] = object(0, true, false);
  env.set_state(s);
  env.step(kNoopA, rng);
  EXPECT_FALSE(env.state().lanes[0].present);
  EXPECT_FALSE(env.state().lanes[1].present);
  EXPECT_TRUE(env.state().lanes[2].present);
  EXPECT_EQ(env.state().lanes[2].column, 1);
}

TEST(MinAtarAsterix, SpawnUsesOnlyFreeLanesAndDrawsSideAndKindEvenWhenFull) {
  Asterix env(settings());
  AsterixState s = quiet_state();
  s.spawn_timer = 0;
  for (int i = 0; i < 8; ++i) {
    if (i != 2) s.lanes[i] = object(3, true, false);
  }
  s.player_row = 3;  // the free lane's row, far from where objects enter
  s.player_column = 5;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    env.set_state(s);
    Rng rng(seed);
    env.step(kNoopA, rng);
    const AsterixObject& o = env.state().lanes[2];
    ASSERT_TRUE(o.present);
    EXPECT_EQ(o.column, o.moving_right ? 0 : 9);
    EXPECT_EQ(env.state().spawn_timer, 9);
  }
  // All lanes full: nothing spawns, but side and kind are still drawn
  // (three draws in all with the sticky draw).
  AsterixState full = s;
  full.lanes[2] = object(3, true, false);
  env.set_state(full);
  Rng rng(42), expected(42);
  env.step(kNoopA, rng);
  for (int i = 0; i < 3; ++i) expected.next_u64();
  EXPECT_TRUE(rng == expected);
  EXPECT_EQ(count_objects(env.state()), 8);
}

TEST(MinAtarAsterix, RampingEvery102StepsUntilBothPeriodsReachOne) {
  Asterix env(settings());
  Rng rng(0);
  env.set_state(quiet_state());  // no objects ever appear
  for (int t = 1; t <= 1200; ++t) {
    env.step(kNoopA, rng);
    const int ramps = std::min(t / 102, 9);
    ASSERT_EQ(env.state().spawn_period, 10 - ramps) << "step " << t;
    ASSERT_EQ(env.state().move_period, 5 - ramps / 2) << "step " << t;
  }
  EXPECT_EQ(env.state().ramp_index, 9);

  Asterix flat(settings(/*ramping=*/false));
  flat.set_state(quiet_state());
  for (int t = 1; t <= 500; ++t) flat.step(kNoopA, rng);
  EXPECT_EQ(flat.state().spawn_period, 10);
  EXPECT_EQ(flat.state().move_period, 5);
}

TEST(MinAtarAsterix, ObservationMarksObjectsAndTheCellBehindThem) {
  Asterix env(settings());
  AsterixState s = quiet_state();
  s.lanes[0] = object(3, true, false);   // enemy row 1 col 3, trail col 2
  s.lanes[1] = object(7, false, true);   // gold row 2 col 7, trail col 8
  s.lanes[2] = object(0, true, true);    // gold row 3 col 0, trail off-board
  env.set_state(s);
  std::vector<float> obs(400);
  env.observe(obs.data());
  auto at = [&](int r, int c, int ch) { return obs[(r * 10 + c) * 4 + ch]; };
  EXPECT_EQ(at(5, 5, 0), 1.f);
  EXPECT_EQ(at(1, 3, 1), 1.f);
  EXPECT_EQ(at(1, 2, 2), 1.f);
  EXPECT_EQ(at(2, 7, 3), 1.f);
  EXPECT_EQ(at(2, 8, 2), 1.f);
  EXPECT_EQ(at(3, 0, 3), 1.f);
  float sum = 0;
  for (float x : obs) sum += x;
  EXPECT_EQ(sum, 6.f);
}

}  // namespace
}  // namespace disco
