// `disco stats --scores S.csv [--reps N] [--seed S]`: aggregate statistics of
// final scores, as rliable computes them (src/eval/score_stats.h). Prints JSON
// Lines: one object per rule (IQM, mean, median and optimality gap, each with
// its 95% stratified-bootstrap interval; `runs` is the number of runs per task,
// the fewest where tasks differ, and `tasks` the number of tasks), then,
// with two rules or more, one object per ordered pair (X, Y) with the
// probability that X improves on Y and its interval. Rules print in name
// order; every rule needs runs on every task of the table.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "eval/score_stats.h"
#include "eval/score_table.h"

namespace disco::cli {
namespace {

struct Options {
  std::string scores;
  int reps = 50000;
  uint64_t seed = 0;
};

using Json = nlohmann::ordered_json;  // keys in the order written

void put(Json& j, const std::string& name, double point, const Interval& ci) {
  j[name] = point;
  j[name + "_ci_low"] = ci.low;
  j[name + "_ci_high"] = ci.high;
}

void run_stats(const Options& o) {
  if (o.reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(o.reps));
  const ScoreTable table = read_score_csv(o.scores);
  const std::vector<std::string> tasks = all_tasks(table);
  std::vector<std::string> rules;
  std::vector<TaskScores> scores;
  for (const auto& [rule, by_task] : table) {
    rules.push_back(rule);
    try {
      scores.push_back(rule_scores(table, rule, tasks));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(o.scores + ": " + e.what() +
                                  " (every rule needs runs on every task in the table)");
    }
  }
  BootstrapSettings settings;
  settings.reps = o.reps;
  settings.seed = o.seed;

  // Everything is computed before anything is printed: an error leaves no partial output.
  std::vector<std::string> lines;
  for (size_t r = 0; r < rules.size(); ++r) {
    const AggregateMetrics m = aggregate_metrics(scores[r]);
    const AggregateIntervals ci = aggregate_intervals(scores[r], settings);
    size_t runs = scores[r].front().size();
    for (const auto& task_runs : scores[r]) runs = std::min(runs, task_runs.size());
    Json j;
    j["rule"] = rules[r];
    put(j, "iqm", m.iqm, ci.iqm);
    put(j, "mean", m.mean, ci.mean);
    put(j, "median", m.median, ci.median);
    put(j, "optimality_gap", m.optimality_gap, ci.optimality_gap);
    j["runs"] = runs;
    j["tasks"] = tasks.size();
    lines.push_back(j.dump());
  }
  // P(Y > X) = 1 - P(X > Y) on every resample, so each unordered pair is
  // bootstrapped once and the reverse interval mirrored.
  const size_t n = rules.size();
  std::vector<std::vector<Interval>> poi_ci(n, std::vector<Interval>(n));
  for (size_t x = 0; x < n; ++x) {
    for (size_t y = x + 1; y < n; ++y) {
      poi_ci[x][y] = probability_of_improvement_interval(scores[x], scores[y], settings);
      poi_ci[y][x] = Interval{1.0 - poi_ci[x][y].high, 1.0 - poi_ci[x][y].low};
    }
  }
  for (size_t x = 0; x < n; ++x) {
    for (size_t y = 0; y < n; ++y) {
      if (x == y) continue;
      Json j;
      j["rule_x"] = rules[x];
      j["rule_y"] = rules[y];
      put(j, "probability_of_improvement", probability_of_improvement(scores[x], scores[y]),
          poi_ci[x][y]);
      lines.push_back(j.dump());
    }
  }
  for (const std::string& line : lines) std::cout << line << "\n";
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stats",
      "IQM, mean, median, optimality gap and probability of improvement of final scores, with "
      "stratified-bootstrap 95% intervals (rliable); JSON Lines");
  static Options options;
  cmd->add_option("--scores", options.scores,
                  "CSV with columns rule,task,seed,score (any order, others ignored)")
      ->required();
  cmd->add_option("--reps", options.reps, "bootstrap resamples (default 50000)");
  cmd->add_option("--seed", options.seed, "seed of the bootstrap (default 0)");
  cmd->callback([]() { run_stats(options); });
}

}  // namespace disco::cli
