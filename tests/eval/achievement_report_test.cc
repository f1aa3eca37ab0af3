// Achievements in an evaluation (src/eval/achievement_report.h): a run's
// success rates from its metrics, a rule's rates and Crafter score over seeds
// with their bootstrap intervals, and the files the report writes.
#include "eval/achievement_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../cli/run_disco.h"
#include "../cli/scratch.h"
#include "eval/eval_plan.h"

namespace disco {
namespace {

namespace fs = std::filesystem;
using disco_test::contains;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

fs::path scratch(const std::string& name) {
  const fs::path dir = disco_test::scratch_root("disco_achievements_") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(RunAchievements, WeighsEachWindowsRateByItsEpisodes) {
  const fs::path dir = scratch("run");
  // Windows: no episode; 2 episodes, x in 1; 3 episodes, x in 1 and y in 3.
  std::ofstream(dir / "metrics.csv") << "learner_step,episodes,achievement/x,achievement/y\n"
                                     << "1,0,,\n"
                                     << "2,2,0.5,0\n"
                                     << "3,5,0.3333333333333333,1\n";
  const RunAchievements a = run_achievements(dir.string());
  ASSERT_EQ(a.names, (std::vector<std::string>{"x", "y"}));
  EXPECT_DOUBLE_EQ(a.episodes, 5);
  EXPECT_NEAR(a.rates[0], 2.0 / 5, 1e-12);
  EXPECT_NEAR(a.rates[1], 3.0 / 5, 1e-12);

  std::ofstream(dir / "metrics.csv") << "learner_step,episodes,avg_return\n1,3,0.5\n";
  EXPECT_TRUE(run_achievements(dir.string()).names.empty());
}

TEST(SummariseAchievements, MeansOverSeedsWithBootstrapIntervals) {
  const std::vector<std::string> names = {"x", "y"};
  const std::vector<RunAchievements> runs = {{names, {0.2, 0.0}, 10}, {names, {0.4, 0.1}, 10}};
  BootstrapSettings settings;
  settings.reps = 4000;
  const AchievementSummary s = summarise_achievements(runs, settings);
  EXPECT_EQ(s.runs, 2);
  EXPECT_NEAR(s.rate[0], 0.3, 1e-12);
  EXPECT_NEAR(s.rate[1], 0.05, 1e-12);
  // The seeds' Crafter scores: {20%, 0%} -> sqrt(21) - 1, {40%, 10%} -> sqrt(41 * 11) - 1.
  const double low = std::sqrt(21.0) - 1.0, high = std::sqrt(41.0 * 11.0) - 1.0;
  EXPECT_NEAR(s.score, (low + high) / 2, 1e-9);
  // Resampling two seeds gives means of {both first, one each, both second}:
  // a quarter of draws at each end, so the 95% interval is the runs' range.
  EXPECT_NEAR(s.rate_ci[0].low, 0.2, 1e-12);
  EXPECT_NEAR(s.rate_ci[0].high, 0.4, 1e-12);
  EXPECT_NEAR(s.score_ci.low, low, 1e-9);
  EXPECT_NEAR(s.score_ci.high, high, 1e-9);

  const AchievementSummary one = summarise_achievements({runs[0]}, settings);
  EXPECT_NEAR(one.rate_ci[0].low, 0.2, 1e-12);
  EXPECT_NEAR(one.rate_ci[0].high, 0.2, 1e-12);

  EXPECT_THROW(summarise_achievements({}, settings), std::invalid_argument);
  EXPECT_THROW(summarise_achievements({runs[0], {{"x", "z"}, {0.1, 0.1}, 1}}, settings),
               std::invalid_argument);
}

TEST(AchievementReport, WritesRatesScoresAndABarChartPerEnvironment) {
  const fs::path dir = scratch("eval");
  const std::vector<std::string> rules = {"a", "b"}, envs = {"crafter", "catch"};
  std::ofstream(dir / "eval.json") << R"({"rules": ["a", "b"], "envs": ["crafter", "catch"],)"
                                   << R"( "seeds": 2, "frames": 100})";
  for (const EvalRun& run : eval_grid(rules, envs, 2, dir.string())) {
    fs::create_directories(run.dir);
    std::ofstream csv(fs::path(run.dir) / "metrics.csv");
    if (run.env == "catch") {
      csv << "learner_step,episodes,avg_return\n1,4,0.5\n";
    } else {
      // Rule a unlocks x in every episode, rule b in half (seed 0) or none.
      const double x = run.rule == "a" ? 1.0 : (run.seed == 0 ? 0.5 : 0.0);
      csv << "learner_step,episodes,achievement/x,achievement/y\n1,4," << x << ",0\n";
    }
  }
  BootstrapSettings settings;
  settings.reps = 1000;
  const std::string md =
      write_achievement_report(dir.string(), nlohmann::json::parse(read(dir / "eval.json")), settings);
  EXPECT_TRUE(contains(md, "### crafter")) << md;
  EXPECT_FALSE(contains(md, "### catch")) << md;
  // a: x 100%, y 0% -> score sqrt(101) - 1 = 9.05 for both seeds; b: seed 0
  // x 50% -> sqrt(51) - 1 = 6.14, seed 1 nothing -> 0; mean 3.07.
  EXPECT_TRUE(contains(md, "| a | 2 | 9.05 [9.05, 9.05] |")) << md;
  EXPECT_TRUE(contains(md, "| b | 2 | 3.07 [0, 6.14] |")) << md;
  const std::string csv = read(dir / "achievements_crafter.csv");
  EXPECT_TRUE(contains(csv, "rule,achievement,rate_percent,low_percent,high_percent\n")) << csv;
  EXPECT_TRUE(contains(csv, "a,x,100,100,100\n")) << csv;
  EXPECT_TRUE(contains(csv, "b,x,25,0,50\n")) << csv;
  EXPECT_EQ(read(dir / "achievements_crafter.png").substr(0, 4), "\x89PNG");
  const std::string jsonl = read(dir / "achievements.jsonl");
  EXPECT_TRUE(contains(jsonl, R"("rule":"b")")) << jsonl;
  EXPECT_TRUE(contains(jsonl, R"("crafter_score")")) << jsonl;
}

TEST(AchievementReport, NothingForEvaluationsWithoutAchievements) {
  const fs::path dir = scratch("plain");
  for (const EvalRun& run : eval_grid({"a"}, {"catch"}, 1, dir.string())) {
    fs::create_directories(run.dir);
    std::ofstream(fs::path(run.dir) / "metrics.csv") << "learner_step,episodes,avg_return\n1,4,0.5\n";
  }
  const auto plan = nlohmann::json::parse(R"({"rules": ["a"], "envs": ["catch"], "seeds": 1})");
  EXPECT_EQ(write_achievement_report(dir.string(), plan, {}), "");
  EXPECT_FALSE(fs::exists(dir / "achievements.jsonl"));
}

}  // namespace
}  // namespace disco
