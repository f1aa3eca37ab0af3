// Hand-computed Freeway cases (rules of the original MinAtar freeway.py).
#include <gtest/gtest.h>

#include "envs/minatar/freeway.h"

namespace disco {
namespace {

MinAtarSettings no_sticky() {
  MinAtarSettings s;
  s.sticky_action_prob = 0.0;
  return s;
}

// Minimal action indices: 0 noop, 1 up, 2 down.
constexpr int kNoopA = 0, kUpA = 1, kDownA = 2;

// All cars parked in column 0, slowest speed, moving left (away from column 4
// for the first 5 x 6 steps).
FreewayState slow_cars() {
  FreewayState s;
  for (FreewayCar& car : s.cars) {
    car.column = 0;
    car.speed = 5;
    car.timer = 5;
    car.direction = -1;
  }
  return s;
}

TEST(MinAtarFreeway, ResetPutsChickenAtBottomAndCarsInColumnZero) {
  Freeway env(no_sticky());
  EXPECT_EQ(env.spec().num_actions, 3);
  EXPECT_EQ(env.action_names(), (std::vector<std::string>{"noop", "up", "down"}));
  EXPECT_EQ(env.spec().observation_shape, (std::vector<int>{10, 10, 7}));
  EXPECT_EQ(env.spec().max_episode_steps, 0);  // the time limit is a termination
  int speed_seen[6] = {};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    env.reset(rng);
    EXPECT_EQ(env.state().chicken_row, 9);
    EXPECT_EQ(env.state().cooldown, 3);
    for (const FreewayCar& car : env.state().cars) {
      EXPECT_EQ(car.column, 0);
      ASSERT_GE(car.speed, 1);
      ASSERT_LE(car.speed, 5);
      EXPECT_EQ(car.timer, car.speed);
      EXPECT_TRUE(car.direction == 1 || car.direction == -1);
      ++speed_seen[car.speed];
    }
  }
  for (int v = 1; v <= 5; ++v) EXPECT_GT(speed_seen[v], 0) << "speed " << v;
}

TEST(MinAtarFreeway, CarOfSpeedSMovesEverySPlusOneStepsAndWraps) {
  Freeway env(no_sticky());
  Rng rng(0);
  FreewayState s = slow_cars();
  s.cars[0] = FreewayCar{0, 2, 2, 1};   // speed 2 right: moves at steps 3, 6, 9
  s.cars[1] = FreewayCar{0, 1, 1, -1};  // speed 1 left: moves at steps 2, 4, 6, ...
  env.set_state(s);
  const int expected0[] = {0, 0, 1, 1, 1, 2, 2, 2, 3};
  const int expected1[] = {0, 9, 9, 8, 8, 7, 7, 6, 6};
  for (int t = 0; t < 9; ++t) {
    env.step(kNoopA, rng);
    EXPECT_EQ(env.state().cars[0].column, expected0[t]) << "step " << t + 1;
    EXPECT_EQ(env.state().cars[1].column, expected1[t]) << "step " << t + 1;
  }
}

TEST(MinAtarFreeway, ChickenMovesOnlyWhenCooldownIsZero) {
  Freeway env(no_sticky());
  Rng rng(0);
  env.set_state(slow_cars());  // cooldown 3 as after a reset
  const int expected_row[] = {9, 9, 9, 8, 8, 8, 7, 7, 7, 6};
  for (int t = 0; t < 10; ++t) {
    env.step(kUpA, rng);
    EXPECT_EQ(env.state().chicken_row, expected_row[t]) << "step " << t + 1;
  }
  // Down works the same way and stops at row 9.
  FreewayState s = slow_cars();
  s.cooldown = 0;
  env.set_state(s);
  env.step(kDownA, rng);
  EXPECT_EQ(env.state().chicken_row, 9);
  EXPECT_EQ(env.state().cooldown, 2);  // set to 3 by the attempt, dropped by 1
}

TEST(MinAtarFreeway, CrossingGivesOneSendsChickenBackAndRedrawsSpeeds) {
  Freeway env(no_sticky());
  Rng rng(11);
  FreewayState s = slow_cars();
  for (int i = 0; i < 8; ++i) s.cars[i].column = static_cast<int8_t>(i);
  s.chicken_row = 1;
  s.cooldown = 0;
  env.set_state(s);
  const StepOutcome out = env.step(kUpA, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(env.state().chicken_row, 9);
  bool any_speed_changed = false;
  for (int i = 0; i < 8; ++i) {
    const FreewayCar& car = env.state().cars[i];
    EXPECT_EQ(car.column, i);               // positions kept
    EXPECT_EQ(car.timer, car.speed - 1);    // restarted, then this step's tick
    any_speed_changed |= car.speed != 5 || car.direction != -1;
  }
  EXPECT_TRUE(any_speed_changed);
}

TEST(MinAtarFreeway, CarHitSendsChickenBackWithoutPenalty) {
  {  // Chicken steps into a car standing in column 4.
    Freeway env(no_sticky());
    Rng rng(0);
    FreewayState s = slow_cars();
    s.cars[7].column = 4;  // row 8
    s.cooldown = 0;
    env.set_state(s);
    const StepOutcome out = env.step(kUpA, rng);
    EXPECT_EQ(env.state().chicken_row, 9);
    EXPECT_EQ(out.reward, 0.f);
    EXPECT_FALSE(out.terminal);
  }
  {  // A car drives onto the chicken.
    Freeway env(no_sticky());
    Rng rng(0);
    FreewayState s = slow_cars();
    s.chicken_row = 5;
    s.cars[4] = FreewayCar{3, 0, 5, 1};  // row 5, column 3, moving right now
    env.set_state(s);
    env.step(kNoopA, rng);
    EXPECT_EQ(env.state().cars[4].column, 4);
    EXPECT_EQ(env.state().chicken_row, 9);
  }
}

TEST(MinAtarFreeway, EpisodeTerminatesAfterExactly2501Steps) {
  Freeway env(no_sticky());
  Rng rng(4);
  env.reset(rng);
  for (int t = 1; t <= 2500; ++t) ASSERT_FALSE(env.step(kNoopA, rng).terminal) << "step " << t;
  const StepOutcome last = env.step(kNoopA, rng);
  EXPECT_TRUE(last.terminal);
  EXPECT_FALSE(last.truncated);
}

TEST(MinAtarFreeway, ObservationTrailIsBehindTheCarInItsSpeedChannel) {
  Freeway env(no_sticky());
  FreewayState s = slow_cars();
  s.cars[0] = FreewayCar{0, 0, 3, -1};  // row 1: trail at column 1, channel 2+3-1
  s.cars[1] = FreewayCar{0, 0, 1, 1};   // row 2: trail wraps to column 9, channel 2
  s.chicken_row = 6;
  env.set_state(s);
  std::vector<float> obs(700);
  env.observe(obs.data());
  auto at = [&](int r, int c, int ch) { return obs[(r * 10 + c) * 7 + ch]; };
  EXPECT_EQ(at(6, 4, 0), 1.f);
  EXPECT_EQ(at(1, 0, 1), 1.f);
  EXPECT_EQ(at(1, 1, 4), 1.f);
  EXPECT_EQ(at(2, 9, 2), 1.f);
  EXPECT_EQ(at(3, 1, 6), 1.f);  // speed 5 moving left
  float sum = 0;
  for (float x : obs) sum += x;
  EXPECT_EQ(sum, 17.f);  // chicken + 8 cars + 8 trails
}

}  // namespace
}  // namespace disco
