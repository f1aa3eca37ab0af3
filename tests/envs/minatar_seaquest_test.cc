// Hand-computed Seaquest cases (rules of the original MinAtar seaquest.py).
#include <gtest/gtest.h>

#include <vector>

#include "envs/minatar/seaquest.h"

namespace disco {
namespace {

MinAtarSettings settings(bool ramping = true) {
  MinAtarSettings s;
  s.sticky_action_prob = 0.0;
  s.difficulty_ramping = ramping;
  return s;
}

// Seaquest's minimal set is the full set, so agent actions are full actions.
constexpr int kNever = 1000000;  // a spawn timer that does not run out in a test
constexpr int8_t kStill = 120;   // a mover timer that does not run out in a test

// No spawns: only what a test places moves.
SeaquestState quiet_state() {
  SeaquestState s;
  s.enemy_spawn_timer = kNever;
  s.diver_spawn_timer = kNever;
  return s;
}

SeaquestMover mover(int column, int row, bool moving_right, int8_t move_timer = kStill,
                    int8_t shot_timer = kStill) {
  SeaquestMover m;
  m.column = static_cast<int8_t>(column);
  m.row = static_cast<int8_t>(row);
  m.moving_right = moving_right;
  m.move_timer = move_timer;
  m.shot_timer = shot_timer;
  return m;
}

// Under water at (column 5, row `row`), having left the surface.
SeaquestState submerged(int row) {
  SeaquestState s = quiet_state();
  s.sub_row = row;
  s.surfaced = 0;
  return s;
}

int enemies(const SeaquestState& s) { return s.fish.size + s.enemy_subs.size; }

TEST(MinAtarSeaquest, ResetMatchesTheOriginal) {
  Seaquest env(settings());
  Rng rng(1);
  env.reset(rng);
  const SeaquestState& s = env.state();
  EXPECT_EQ(s.sub_column, 5);
  EXPECT_EQ(s.sub_row, 0);
  EXPECT_EQ(s.sub_facing_right, 0);
  EXPECT_EQ(s.oxygen, 200);
  EXPECT_EQ(s.divers_aboard, 0);
  EXPECT_EQ(env.spec().num_actions, 6);
  EXPECT_EQ(env.spec().observation_shape, (std::vector<int>{10, 10, 10}));
}

TEST(MinAtarSeaquest, OxygenLastsTwoHundredStepsUnderWater) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  env.set_state(quiet_state());
  ASSERT_FALSE(env.step(kDown, rng).terminal);  // step 1: row 1, oxygen 199
  EXPECT_EQ(env.state().oxygen, 199);
  for (int t = 2; t <= 200; ++t) ASSERT_FALSE(env.step(kNoop, rng).terminal) << "step " << t;
  EXPECT_EQ(env.state().oxygen, 0);
  EXPECT_TRUE(env.step(kNoop, rng).terminal);  // the 201st step under water
}

TEST(MinAtarSeaquest, RowZeroCostsNoOxygen) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  env.set_state(quiet_state());
  for (int t = 0; t < 300; ++t) ASSERT_FALSE(env.step(kNoop, rng).terminal);
  EXPECT_EQ(env.state().oxygen, 200);
}

TEST(MinAtarSeaquest, SurfacingWithoutDiversEndsTheEpisode) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  env.set_state(submerged(1));
  const StepOutcome out = env.step(kUp, rng);
  EXPECT_TRUE(out.terminal);
  EXPECT_EQ(out.reward, 0.f);
}

TEST(MinAtarSeaquest, SurfacingWithSomeDiversRefillsOxygenAndCostsOneDiver) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(1);
  s.oxygen = 50;
  s.divers_aboard = 3;
  env.set_state(s);
  const StepOutcome out = env.step(kUp, rng);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(out.reward, 0.f);
  EXPECT_EQ(env.state().oxygen, 200);
  EXPECT_EQ(env.state().divers_aboard, 2);
  // Staying on the surface is not a second surfacing.
  EXPECT_FALSE(env.step(kNoop, rng).terminal);
  EXPECT_EQ(env.state().divers_aboard, 2);
}

TEST(MinAtarSeaquest, SurfacingWithSixDiversPaysForOxygenAndLeavesMinusOne) {
  for (const auto& [oxygen, reward] : std::vector<std::pair<int, float>>{{57, 2.f}, {199, 9.f},
                                                                           {19, 0.f}}) {
    Seaquest env(settings());
    Rng rng(0);
    env.reset(rng);
    SeaquestState s = submerged(1);
    s.oxygen = oxygen;
    s.divers_aboard = 6;
    env.set_state(s);
    const StepOutcome out = env.step(kUp, rng);  // floor(oxygen * 10 / 200)
    EXPECT_FALSE(out.terminal);
    EXPECT_EQ(out.reward, reward) << "oxygen " << oxygen;
    EXPECT_EQ(env.state().oxygen, 200);
    EXPECT_EQ(env.state().divers_aboard, -1);  // the original's quirk
  }
}

TEST(MinAtarSeaquest, AfterAFullSurfacingTheNextSurfacingIsNotFatal) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(1);
  s.divers_aboard = -1;
  env.set_state(s);
  EXPECT_FALSE(env.step(kUp, rng).terminal);
  EXPECT_EQ(env.state().divers_aboard, -2);
}

TEST(MinAtarSeaquest, EachSurfacingRampsSpawnAndEveryOtherRampsMoves) {
  // (spawn period, move period) after surfacing k = 1..8: the spawn period
  // drops every time, the move period on the 2nd, 4th and 6th (floor 2).
  const int expected_spawn[] = {19, 18, 17, 16, 15, 14, 13, 12};
  const int expected_move[] = {5, 4, 4, 3, 3, 2, 2, 2};
  for (bool ramping : {true, false}) {
    Seaquest env(settings(ramping));
    Rng rng(0);
    env.reset(rng);
    SeaquestState s = quiet_state();
    s.divers_aboard = 6;  // then -1, -2, ...: surfacing never ends the episode
    env.set_state(s);
    for (int k = 0; k < 8; ++k) {
      ASSERT_FALSE(env.step(kDown, rng).terminal);
      ASSERT_FALSE(env.step(kUp, rng).terminal);
      EXPECT_EQ(env.state().enemy_spawn_period, ramping ? expected_spawn[k] : 20) << k;
      EXPECT_EQ(env.state().enemy_move_period, ramping ? expected_move[k] : 5) << k;
    }
  }
}

TEST(MinAtarSeaquest, BulletKillsTheFishAheadForOne) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(4);
  s.sub_column = 3;
  s.sub_facing_right = 1;
  s.fish.push_back(mover(5, 4, false));
  env.set_state(s);
  EXPECT_EQ(env.step(kFire, rng).reward, 0.f);  // bullet fired at column 3, moves to 4
  ASSERT_EQ(env.state().player_bullets.size, 1);
  EXPECT_EQ(env.state().player_bullets[0].column, 4);
  const StepOutcome out = env.step(kNoop, rng);  // moves to 5: the fish
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_EQ(env.state().fish.size, 0);
  EXPECT_EQ(env.state().player_bullets.size, 0);
}

TEST(MinAtarSeaquest, BulletHitsTheFishBeforeTheSubOnTheSameCell) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(4);
  s.sub_column = 3;
  s.sub_facing_right = 0;  // fires left
  s.enemy_subs.push_back(mover(2, 4, true));
  s.fish.push_back(mover(2, 4, true));
  env.set_state(s);
  EXPECT_EQ(env.step(kFire, rng).reward, 1.f);
  EXPECT_EQ(env.state().fish.size, 0);
  EXPECT_EQ(env.state().enemy_subs.size, 1);
}

TEST(MinAtarSeaquest, EnemyMovingOntoABulletDiesForOne) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(6);
  s.sub_column = 9;
  s.sub_facing_right = 1;
  // A bullet flying right sits at column 2; a fish moving left steps onto
  // column 3 this step while the bullet also moves to 3.
  s.player_bullets.push_back(SeaquestBullet{2, 6, 1});
  s.fish.push_back(mover(4, 6, false, /*move_timer=*/0));
  env.set_state(s);
  const StepOutcome out = env.step(kNoop, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_EQ(env.state().fish.size, 0);
  EXPECT_EQ(env.state().player_bullets.size, 0);
}

TEST(MinAtarSeaquest, EnemySubFiresEveryElevenStepsAndItsBulletKills) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(3);
  s.sub_column = 6;
  s.enemy_subs.push_back(mover(2, 3, true, kStill, /*shot_timer=*/0));
  env.set_state(s);
  EXPECT_FALSE(env.step(kNoop, rng).terminal);  // fired at column 2, bullet moves to 3
  ASSERT_EQ(env.state().enemy_bullets.size, 1);
  EXPECT_EQ(env.state().enemy_bullets[0].column, 3);
  EXPECT_EQ(env.state().enemy_subs[0].shot_timer, 10);
  EXPECT_FALSE(env.step(kNoop, rng).terminal);  // 4
  EXPECT_FALSE(env.step(kNoop, rng).terminal);  // 5
  EXPECT_TRUE(env.step(kNoop, rng).terminal);   // 6: the player's cell
}

TEST(MinAtarSeaquest, EnemySubFiresAgainElevenStepsLater) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = quiet_state();  // player safe on the surface
  s.enemy_subs.push_back(mover(0, 5, true, kStill, /*shot_timer=*/0));
  env.set_state(s);
  env.step(kNoop, rng);  // step 1: shot 1, which moves to column 1
  for (int t = 2; t <= 11; ++t) {
    env.step(kNoop, rng);  // shot 1 reaches column t and leaves the board on step 10
    EXPECT_EQ(env.state().enemy_bullets.size, t <= 9 ? 1 : 0) << "step " << t;
  }
  env.step(kNoop, rng);  // step 12: shot 2
  ASSERT_EQ(env.state().enemy_bullets.size, 1);
  EXPECT_EQ(env.state().enemy_bullets[0].column, 1);
}

TEST(MinAtarSeaquest, TouchingAFishEndsTheEpisode) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(2);
  s.fish.push_back(mover(6, 2, false));
  env.set_state(s);
  EXPECT_TRUE(env.step(kRight, rng).terminal);
}

TEST(MinAtarSeaquest, EnemiesMoveOnTheSixthStepThenEveryMovePeriodPlusOne) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = quiet_state();
  s.fish.push_back(mover(0, 5, true, /*move_timer=*/5));  // as spawned
  env.set_state(s);
  std::vector<int> columns;
  for (int t = 1; t <= 12; ++t) {
    env.step(kNoop, rng);
    columns.push_back(env.state().fish[0].column);
  }
  EXPECT_EQ(columns, (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2}));
}

TEST(MinAtarSeaquest, DiversArePickedUpWhileFewerThanSixAboard) {
  for (int aboard : {0, 5, 6}) {
    Seaquest env(settings());
    Rng rng(0);
    env.reset(rng);
    SeaquestState s = submerged(3);
    s.divers_aboard = aboard;
    s.divers.push_back(mover(6, 3, false));
    env.set_state(s);
    env.step(kRight, rng);
    EXPECT_EQ(env.state().divers_aboard, aboard < 6 ? aboard + 1 : 6);
    EXPECT_EQ(env.state().divers.size, aboard < 6 ? 0 : 1);
  }
}

TEST(MinAtarSeaquest, EnemiesFirstSpawnAtStepTwentyOneAndDiversAtThirtyOne) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Seaquest env(settings());
    Rng rng(seed);
    env.reset(rng);
    for (int t = 1; t <= 20; ++t) env.step(kNoop, rng);  // safe on the surface
    EXPECT_EQ(enemies(env.state()), 0);
    env.step(kNoop, rng);  // step 21
    ASSERT_EQ(enemies(env.state()), 1);
    const SeaquestMover& e = env.state().fish.size ? env.state().fish[0] : env.state().enemy_subs[0];
    EXPECT_EQ(e.column, e.moving_right ? 0 : 9);
    EXPECT_GE(e.row, 1);
    EXPECT_LE(e.row, 8);
    for (int t = 22; t <= 30; ++t) env.step(kNoop, rng);
    EXPECT_EQ(env.state().divers.size, 0);
    env.step(kNoop, rng);  // step 31
    EXPECT_EQ(env.state().divers.size, 1);
    // The second enemy spawn is at step 41 (it may be cancelled, see below).
    EXPECT_EQ(env.state().enemy_spawn_timer, 9);  // 0 at the start of step 41
  }
}

TEST(MinAtarSeaquest, NoSpawnIntoARowWithTrafficTheOtherWay) {
  int spawned = 0, cancelled = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Seaquest env(settings());
    Rng rng(seed);
    env.reset(rng);
    SeaquestState s = quiet_state();
    for (int row = 1; row <= 8; ++row) s.fish.push_back(mover(4, row, true));
    s.enemy_spawn_timer = 0;
    env.set_state(s);
    env.step(kNoop, rng);
    const SeaquestState& after = env.state();
    if (enemies(after) == 8) {
      ++cancelled;
    } else {
      ASSERT_EQ(enemies(after), 9);
      ++spawned;
      const SeaquestMover& e = after.enemy_subs.size ? after.enemy_subs[0] : after.fish[8];
      EXPECT_TRUE(e.moving_right);  // only the same direction gets in
      EXPECT_EQ(e.column, 0);
    }
  }
  EXPECT_GT(spawned, 50);
  EXPECT_GT(cancelled, 50);
}

TEST(MinAtarSeaquest, ObservationShowsSubBarsAndTrails) {
  Seaquest env(settings());
  Rng rng(0);
  env.reset(rng);
  SeaquestState s = submerged(2);
  s.oxygen = 57;  // floor(57 / 20) = 2 cells
  s.divers_aboard = 3;
  s.fish.push_back(mover(4, 6, true));
  env.set_state(s);
  std::vector<float> obs(1000);
  env.observe(obs.data());
  std::vector<float> expected(1000, 0.f);
  auto set = [&expected](int row, int column, int channel) {
    expected[(row * 10 + column) * 10 + channel] = 1.f;
  };
  set(2, 5, Seaquest::kSubFront);
  set(2, 6, Seaquest::kSubBack);  // facing left: the back is to the right
  set(9, 0, Seaquest::kOxygenBar);
  set(9, 1, Seaquest::kOxygenBar);
  for (int c = 6; c <= 8; ++c) set(9, c, Seaquest::kDiverBar);
  set(6, 4, Seaquest::kFish);
  set(6, 3, Seaquest::kTrail);
  EXPECT_EQ(obs, expected);
}

}  // namespace
}  // namespace disco
