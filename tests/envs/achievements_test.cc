// Achievements through the environment API (envs/environment.h): a batch
// reports what each finished episode unlocked, keeps it across save and
// restore, and Crafter names its 22; the Crafter score's arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "envs/achievements.h"
#include "envs/batched_env.h"
#include "envs/registry.h"

namespace disco {
namespace {

// Three-step episodes; taking action k unlocks achievement k.
class ActionAchievements final : public Environment {
 public:
  explicit ActionAchievements(int achievements) : names_(achievements) {
    for (int k = 0; k < achievements; ++k) names_[k] = "a" + std::to_string(k);
    spec_.name = "action_achievements";
    spec_.observation_shape = {1};
    spec_.num_actions = 4;
  }
  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng&) override { steps_ = 0, unlocked_ = 0; }
  StepOutcome step(int action, Rng&) override {
    unlocked_ |= uint64_t{1} << action;
    return {0.f, ++steps_ == 3, false};
  }
  void observe(float* out) const override { out[0] = static_cast<float>(steps_); }
  void save(StateWriter& out) const override {
    out.put<int32_t>(steps_);
    out.put<uint64_t>(unlocked_);
  }
  void load(StateReader& in) override {
    steps_ = in.get<int32_t>();
    unlocked_ = in.get<uint64_t>();
  }
  std::vector<std::string> achievement_names() const override { return names_; }
  uint64_t unlocked_achievements() const override { return unlocked_; }

 private:
  EnvSpec spec_;
  std::vector<std::string> names_;
  int steps_ = 0;
  uint64_t unlocked_ = 0;
};

BatchedEnv batch_of(int size, int achievements = 4) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < size; ++i) envs.push_back(std::make_unique<ActionAchievements>(achievements));
  return BatchedEnv(std::move(envs));
}

TEST(Achievements, ABatchReportsWhatEachFinishedEpisodeUnlocked) {
  BatchedEnv env = batch_of(2);
  env.reset(0);
  EXPECT_EQ(env.achievement_names(), (std::vector<std::string>{"a0", "a1", "a2", "a3"}));
  env.step({0, 3});
  env.step({2, 3});
  EXPECT_FALSE(env.done(0));
  env.step({0, 1});
  ASSERT_TRUE(env.done(0) && env.done(1));
  EXPECT_EQ(env.finished_achievements(0), 0b0101u);
  EXPECT_EQ(env.finished_achievements(1), 0b1010u);
  // The next episode starts with nothing unlocked; the finished one's stay.
  EXPECT_EQ(env.env(0).unlocked_achievements(), 0u);
  const auto saved = env.save_state();
  env.step({1, 1});
  env.restore_state(saved);
  EXPECT_EQ(env.finished_achievements(0), 0b0101u);
  EXPECT_EQ(env.finished_achievements(1), 0b1010u);
}

TEST(Achievements, MoreThan64AchievementsAreRefused) {
  EXPECT_THROW(batch_of(1, 65), std::invalid_argument);
  EXPECT_NO_THROW(batch_of(1, 64));
}

TEST(Achievements, EnvironmentsWithoutAchievementsReportNone) {
  BatchedEnv env = make_batched_env("catch(rows=5,columns=5)", 2);
  env.reset(1);
  EXPECT_TRUE(env.achievement_names().empty());
  for (int t = 0; t < 4; ++t) env.step({0, 2});
  ASSERT_TRUE(env.done(0));
  EXPECT_EQ(env.finished_achievements(0), 0u);
}

TEST(Achievements, CrafterReportsItsAchievementsForEveryFinishedEpisode) {
  BatchedEnv env = make_batched_env("crafter(length=60)", 4);
  ASSERT_EQ(env.achievement_names().size(), 22u);
  EXPECT_EQ(env.achievement_names().front(), "collect_coal");
  EXPECT_EQ(env.achievement_names().back(), "wake_up");
  env.reset(3);
  Rng policy(7);
  uint64_t seen = 0;
  int ended = 0;
  std::vector<uint64_t> before(4);
  for (int t = 0; t < 300; ++t) {
    std::vector<int> actions(4);
    for (int& a : actions) a = policy.uniform_int(17);
    for (int i = 0; i < 4; ++i) before[i] = env.env(i).unlocked_achievements();
    env.step(actions);
    for (int i = 0; i < 4; ++i) {
      if (!env.done(i)) continue;
      ++ended;
      // What the episode had unlocked before its last step is still there.
      EXPECT_EQ(env.finished_achievements(i) & before[i], before[i]);
      EXPECT_EQ(env.finished_achievements(i) >> 22, 0u);
      seen |= env.finished_achievements(i);
    }
  }
  EXPECT_GE(ended, 16);
  EXPECT_NE(seen, 0u) << "random play in 60-step episodes unlocks something (saplings, wood)";
}

TEST(Achievements, CrafterScoreIsTheShiftedGeometricMeanInPercent) {
  EXPECT_DOUBLE_EQ(crafter_score({0.0, 0.0}), 0.0);
  EXPECT_NEAR(crafter_score({1.0, 1.0, 1.0}), 100.0, 1e-12);
  // exp((log 101 + log 1) / 2) - 1 = sqrt(101) - 1.
  EXPECT_NEAR(crafter_score({1.0, 0.0}), std::sqrt(101.0) - 1.0, 1e-12);
  // exp((log 11 + log 51 + log 2) / 3) - 1.
  EXPECT_NEAR(crafter_score({0.1, 0.5, 0.01}), std::cbrt(11.0 * 51.0 * 2.0) - 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(crafter_score({})));
}

}  // namespace
}  // namespace disco
