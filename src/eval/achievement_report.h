// Achievements in an evaluation (environments that name them, e.g. Crafter):
// each run's success rate per achievement over all its episodes (Crafter's
// convention: every episode of training counts), each rule's mean over seeds
// with a 95% bootstrap interval over seeds, and the Crafter score.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/score_stats.h"

namespace disco {

// One run's achievements, from the `achievement/<name>` columns of its
// metrics.csv weighted by the episodes that ended in each logged window.
// `names` is empty for a run that logged none.
struct RunAchievements {
  std::vector<std::string> names;
  std::vector<double> rates;  // fractions of the run's episodes, in [0, 1]
  double episodes = 0;
};
// Throws std::invalid_argument when metrics.csv lacks the episodes column.
RunAchievements run_achievements(const std::string& run_dir);

// One rule on one environment over its seeds' runs: the rates (fractions)
// and the Crafter score (envs/achievements.h, percent, of each seed's rates),
// each averaged over seeds, as the original's analysis does. Intervals:
// percentiles of `settings.reps` resamples of the seeds.
struct AchievementSummary {
  std::vector<std::string> names;
  std::vector<double> rate;
  std::vector<Interval> rate_ci;
  double score = 0;
  Interval score_ci;
  int runs = 0;
};
// Throws std::invalid_argument for no runs, or runs naming other achievements.
AchievementSummary summarise_achievements(const std::vector<RunAchievements>& runs,
                                          const BootstrapSettings& settings);

// For each environment of the evaluation `plan` (eval.json) in `dir` whose
// runs logged achievements: achievements_<env>.csv (rule, achievement, rate
// and interval, in percent), achievements_<env>.png (a bar chart) and
// achievements.jsonl (each rule's score and rates). Returns the report's
// Markdown section, "" when no environment has achievements.
std::string write_achievement_report(const std::string& dir, const nlohmann::json& plan,
                                     const BootstrapSettings& settings);

}  // namespace disco
