// `disco env-stats` through the binary: the JSON it prints and its errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cmath>
#include <string>

#include "run_disco.h"

namespace {

using disco_test::Result;

Result run(const std::string& args) { return disco_test::run_disco("env-stats " + args); }

TEST(EnvStats, CatchRandomPolicyStatistics) {
  const Result r = run("--env 'catch(rows=5,columns=5)' --episodes 400 --policy random --seed 3");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["episodes"], 400);
  // Every Catch 5x5 episode lasts exactly 4 steps and returns +1 or -1.
  EXPECT_DOUBLE_EQ(j["length"]["mean"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(j["length"]["std"].get<double>(), 0.0);
  EXPECT_EQ(j["return"]["p5"].get<double>(), -1.0);
  EXPECT_EQ(j["return"]["p95"].get<double>(), 1.0);
  const double mean = j["return"]["mean"];
  EXPECT_GT(mean, -0.9);
  EXPECT_LT(mean, -0.2);
  const int64_t wins = j["reward_counts"]["1"], losses = j["reward_counts"]["-1"], zeros = j["reward_counts"]["0"];
  EXPECT_EQ(wins + losses, 400);
  EXPECT_EQ(zeros, 3 * 400);
  EXPECT_NEAR(mean, (wins - losses) / 400.0, 1e-9);
}

TEST(EnvStats, SameSeedSameNumbers) {
  const Result a = run("--env minatar_breakout --episodes 50 --policy random --seed 9");
  const Result b = run("--env minatar_breakout --episodes 50 --policy random --seed 9");
  ASSERT_EQ(a.code, 0);
  EXPECT_EQ(a.output, b.output);
}

TEST(EnvStats, EndlessEpisodesAreCutAndCounted) {
  // Seaquest under noop never ends (the sub stays at the surface).
  const Result r = run("--env minatar_seaquest --episodes 2 --policy noop --max-episode-steps 500");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["episodes_cut_at_max_steps"], 2);
  EXPECT_DOUBLE_EQ(j["length"]["mean"].get<double>(), 500.0);
}

TEST(EnvStats, CrafterReportsEachAchievementsRateAndTheCrafterScore) {
  const Result r = run("--env 'crafter(length=80)' --episodes 40 --policy random --seed 2");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["achievements"].size(), 22u) << r.output;
  ASSERT_EQ(j["achievements_sem"].size(), 22u);
  double log_sum = 0, any = 0;
  for (const auto& [name, rate] : j["achievements"].items()) {
    const double p = rate.get<double>();
    ASSERT_GE(p, 0.0);
    ASSERT_LE(p, 1.0);
    // A rate is a whole number of the 40 episodes.
    EXPECT_NEAR(p * 40, std::round(p * 40), 1e-9) << name;
    EXPECT_NEAR(j["achievements_sem"][name].get<double>(), std::sqrt(p * (1 - p) / 40), 1e-12);
    log_sum += std::log1p(100 * p);
    any = std::max(any, p);
  }
  EXPECT_GT(any, 0.0) << "a random player unlocks something in 80 steps";
  EXPECT_NEAR(j["crafter_score"].get<double>(), std::expm1(log_sum / 22), 1e-9);
  // Environments without achievements print neither.
  const auto c = nlohmann::json::parse(run("--env catch --episodes 5").output);
  EXPECT_FALSE(c.contains("achievements"));
  EXPECT_FALSE(c.contains("crafter_score"));
}

TEST(EnvStats, BadInputIsAUsageError) {
  EXPECT_EQ(run("--env no_such_env --episodes 5").code, 2);
  EXPECT_EQ(run("--env catch --episodes 0").code, 2);
  EXPECT_EQ(run("--env catch --episodes -3").code, 2);
  EXPECT_EQ(run("--env catch --episodes 5 --policy greedy").code, 2);
}

}  // namespace
