// Hand-computed Space Invaders cases (rules of the original MinAtar space_invaders.py).
#include <gtest/gtest.h>

#include <vector>

#include "envs/minatar/space_invaders.h"

namespace disco {
namespace {

MinAtarSettings settings(bool ramping = true) {
  MinAtarSettings s;
  s.sticky_action_prob = 0.0;
  s.difficulty_ramping = ramping;
  return s;
}

// Minimal action indices: 0 noop, 1 left, 2 right, 3 fire.
constexpr int kNoopA = 0, kLeftA = 1, kRightA = 2, kFireA = 3;
constexpr int kNever = 1000000;  // a timer that does not run out in a test

uint16_t bit(int column) { return static_cast<uint16_t>(1u << column); }
uint16_t columns(int first, int last) {
  uint16_t bits = 0;
  for (int c = first; c <= last; ++c) bits |= bit(c);
  return bits;
}

int count_aliens(const SpaceInvadersState& s) {
  int n = 0;
  for (uint16_t row : s.aliens) n += __builtin_popcount(row);
  return n;
}

SpaceInvadersState no_aliens_no_timers() {
  SpaceInvadersState s;
  s.move_timer = kNever;
  s.alien_shot_timer = kNever;
  return s;
}

TEST(MinAtarSpaceInvaders, ResetFillsRowsZeroToThreeColumnsTwoToSeven) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  const SpaceInvadersState& s = env.state();
  for (int r = 0; r < 10; ++r) EXPECT_EQ(s.aliens[r], r < 4 ? columns(2, 7) : 0) << r;
  EXPECT_EQ(count_aliens(s), 24);
  EXPECT_EQ(s.cannon_column, 5);
  EXPECT_EQ(s.alien_direction, -1);
  EXPECT_EQ(env.spec().num_actions, 4);
  EXPECT_EQ(env.spec().observation_shape, (std::vector<int>{10, 10, 6}));
}

TEST(MinAtarSpaceInvaders, NearestAlienFiresOnStepElevenAndTheBulletKillsOnStepSeventeen) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  for (int t = 1; t <= 10; ++t) ASSERT_FALSE(env.step(kNoopA, rng).terminal);
  for (uint16_t row : env.state().enemy_bullets) EXPECT_EQ(row, 0);
  env.step(kNoopA, rng);  // step 11: the bottom alien above the cannon (row 3, column 5)
  EXPECT_EQ(env.state().enemy_bullets[3], bit(5));
  for (int t = 12; t <= 16; ++t) ASSERT_FALSE(env.step(kNoopA, rng).terminal);  // rows 4..8
  EXPECT_EQ(env.state().enemy_bullets[8], bit(5));
  EXPECT_TRUE(env.step(kNoopA, rng).terminal);  // step 17: row 9, the cannon
}

TEST(MinAtarSpaceInvaders, ShooterIsTheNearestColumnLowerOnTiesBottomAlien) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.cannon_column = 5;
  s.aliens[0] = bit(3) | bit(7);
  s.aliens[2] = bit(3);
  s.aliens[4] = bit(7);
  s.alien_shot_timer = 0;
  env.set_state(s);
  env.step(kNoopA, rng);
  EXPECT_EQ(env.state().enemy_bullets[2], bit(3));  // columns 3 and 7 tie: 3; its bottom is row 2
  EXPECT_EQ(env.state().enemy_bullets[4], 0);
  EXPECT_EQ(env.state().alien_shot_timer, 9);      // restarts at 10, then counts this step
}

TEST(MinAtarSpaceInvaders, BlockMovesEveryTwelveStepsThenTurnsAndDropsAtTheWall) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = env.state();
  s.alien_shot_timer = kNever;  // no shots: only movement
  env.set_state(s);
  auto block_at = [&env](int top, int left) {
    for (int r = 0; r < 10; ++r) {
      const uint16_t want = r >= top && r < top + 4 ? columns(left, left + 5) : 0;
      if (env.state().aliens[r] != want) return false;
    }
    return true;
  };
  for (int t = 1; t <= 12; ++t) env.step(kNoopA, rng);
  EXPECT_TRUE(block_at(0, 2));
  env.step(kNoopA, rng);  // step 13
  EXPECT_TRUE(block_at(0, 1));
  for (int t = 14; t <= 25; ++t) env.step(kNoopA, rng);  // step 25
  EXPECT_TRUE(block_at(0, 0));
  for (int t = 26; t <= 37; ++t) env.step(kNoopA, rng);  // step 37: at the wall
  EXPECT_TRUE(block_at(1, 0));
  EXPECT_EQ(env.state().alien_direction, 1);
  for (int t = 38; t <= 49; ++t) env.step(kNoopA, rng);  // step 49
  EXPECT_TRUE(block_at(1, 1));
}

TEST(MinAtarSpaceInvaders, FewAliensMoveFasterOneAlienEveryStep) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[2] = bit(5);
  s.alien_direction = 1;
  s.move_timer = 0;
  env.set_state(s);
  for (int t = 1; t <= 3; ++t) {
    env.step(kNoopA, rng);
    EXPECT_EQ(env.state().aliens[2], bit(5 + t)) << "step " << t;
  }
  s.aliens[2] = bit(1) | bit(3) | bit(5);  // three aliens: a move every 3 steps
  s.move_timer = 0;
  env.set_state(s);
  std::vector<int> lowest;
  for (int t = 1; t <= 7; ++t) {
    env.step(kNoopA, rng);
    lowest.push_back(__builtin_ctz(env.state().aliens[2]));
  }
  EXPECT_EQ(lowest, (std::vector<int>{2, 2, 2, 3, 3, 3, 4}));
}

TEST(MinAtarSpaceInvaders, BulletKillsAnAlienForOne) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  // Fired on step 1 from under column 5: row 8 on step 1, row 3 on step 6.
  EXPECT_EQ(env.step(kFireA, rng).reward, 0.f);
  EXPECT_EQ(env.state().player_bullets[8], bit(5));
  for (int t = 2; t <= 5; ++t) EXPECT_EQ(env.step(kNoopA, rng).reward, 0.f);
  const StepOutcome out = env.step(kNoopA, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_EQ(env.state().aliens[3], columns(2, 7) & ~bit(5));
  for (uint16_t row : env.state().player_bullets) EXPECT_EQ(row, 0);
}

TEST(MinAtarSpaceInvaders, FireHasACooldownOfFiveSteps) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  env.step(kFireA, rng);  // fires, cooldown 5 -> 4 at the end of the step
  for (int t = 2; t <= 5; ++t) {
    env.step(kFireA, rng);
    EXPECT_EQ(env.state().player_bullets[8], 0) << "step " << t;
  }
  env.step(kFireA, rng);  // step 6: fires again
  EXPECT_EQ(env.state().player_bullets[8], bit(5));
}

TEST(MinAtarSpaceInvaders, ClearingTheWaveRefillsAndRampsTheInterval) {
  for (bool ramping : {true, false}) {
    for (int interval : {12, 6}) {
      SpaceInvaders env(settings(ramping));
      Rng rng(0);
      env.reset(rng);
      SpaceInvadersState s = no_aliens_no_timers();
      s.aliens[5] = bit(4);  // the last alien
      s.player_bullets[6] = bit(4);
      s.alien_direction = 1;
      s.move_interval = interval;
      s.move_timer = 7;
      env.set_state(s);
      EXPECT_EQ(env.step(kNoopA, rng).reward, 1.f);
      const SpaceInvadersState& after = env.state();
      EXPECT_EQ(count_aliens(after), 24);
      for (int r = 0; r < 4; ++r) EXPECT_EQ(after.aliens[r], columns(2, 7));
      EXPECT_EQ(after.move_interval, ramping && interval > 6 ? interval - 1 : interval);
      EXPECT_EQ(after.alien_direction, 1);  // kept
      EXPECT_EQ(after.move_timer, 6);       // kept (counted down)
    }
  }
}

TEST(MinAtarSpaceInvaders, MovingIntoAnAlienOnTheBottomRowEndsTheEpisode) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[9] = bit(6);
  env.set_state(s);
  EXPECT_TRUE(env.step(kRightA, rng).terminal);
}

TEST(MinAtarSpaceInvaders, BlockDroppingOntoTheCannonEndsTheEpisode) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[8] = bit(0);  // at the left wall heading left: drops to row 9
  s.cannon_column = 0;
  s.move_timer = 0;
  env.set_state(s);
  EXPECT_TRUE(env.step(kNoopA, rng).terminal);
}

TEST(MinAtarSpaceInvaders, ReachingAWallFromTheBottomRowEndsTheEpisode) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[9] = bit(9);  // far from the cannon, but it cannot drop any further
  s.alien_direction = 1;
  s.cannon_column = 2;
  s.move_timer = 0;
  env.set_state(s);
  EXPECT_TRUE(env.step(kNoopA, rng).terminal);
}

TEST(MinAtarSpaceInvaders, DodgingTheBulletSurvives) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[0] = bit(9);
  s.enemy_bullets[8] = bit(5);
  env.set_state(s);
  EXPECT_FALSE(env.step(kLeftA, rng).terminal);  // the bullet lands in row 9 beside the cannon
  EXPECT_EQ(env.state().enemy_bullets[9], bit(5));
  EXPECT_FALSE(env.step(kNoopA, rng).terminal);  // and then leaves the board
  for (uint16_t row : env.state().enemy_bullets) EXPECT_EQ(row, 0);
}

TEST(MinAtarSpaceInvaders, ObservationCopiesAliensIntoTheHeadingChannel) {
  SpaceInvaders env(settings());
  Rng rng(0);
  env.reset(rng);
  SpaceInvadersState s = no_aliens_no_timers();
  s.aliens[1] = bit(4);
  s.player_bullets[7] = bit(2);
  s.enemy_bullets[5] = bit(8);
  s.cannon_column = 3;
  s.alien_direction = 1;
  env.set_state(s);
  std::vector<float> obs(600);
  env.observe(obs.data());
  std::vector<float> expected(600, 0.f);
  auto set = [&expected](int row, int column, int channel) {
    expected[(row * 10 + column) * 6 + channel] = 1.f;
  };
  set(9, 3, SpaceInvaders::kCannon);
  set(1, 4, SpaceInvaders::kAlien);
  set(1, 4, SpaceInvaders::kAlienRight);
  set(7, 2, SpaceInvaders::kPlayerBullet);
  set(5, 8, SpaceInvaders::kEnemyBullet);
  EXPECT_EQ(obs, expected);
}

}  // namespace
}  // namespace disco
