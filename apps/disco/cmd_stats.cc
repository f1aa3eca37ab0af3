// `disco stats --scores S.csv [--reps N] [--seed S] [--normalise]`: aggregate
// statistics of final scores (raw, or normalised per environment by
// src/eval/reference_scores.h), as rliable computes them (src/eval/score_stats.h). Prints JSON
// Lines: one object per rule (IQM, mean, median and optimality gap, each with
// its 95% stratified-bootstrap interval; `runs` is the number of runs per task,
// the fewest where tasks differ, and `tasks` the number of tasks), then,
// with two rules or more, one object per ordered pair (X, Y) with the
// probability that X improves on Y and its interval. Rules print in name
// order; every rule needs runs on every task of the table.
#include <iostream>
#include <string>

#include "commands.h"
#include "eval/score_report.h"
#include "eval/reference_scores.h"
#include "eval/score_table.h"

namespace disco::cli {
namespace {

struct Options {
  std::string scores;
  int reps = 50000;
  uint64_t seed = 0;
  bool normalise = false;
};

void run_stats(const Options& o) {
  if (o.reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(o.reps));
  BootstrapSettings settings;
  settings.reps = o.reps;
  settings.seed = o.seed;
  ScoreTable table = read_score_csv(o.scores);
  if (o.normalise) {
    try {
      table = normalise_score_table(table);
    } catch (const std::invalid_argument& e) {
      throw UsageError(o.scores + ": " + e.what());
    }
  }
  // Everything is computed before anything is printed: an error leaves no partial output.
  for (const auto& j : score_report(table, settings, o.scores)) {
    std::cout << j.dump() << "\n";
  }
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
  cmd->add_flag("--normalise", options.normalise,
                "normalise each task (an environment name) to random = 0, reference = 1 by the "
                "table of src/eval/reference_scores.cc; a task without an entry is an error");
  cmd->callback([]() { run_stats(options); });
}

}  // namespace disco::cli
