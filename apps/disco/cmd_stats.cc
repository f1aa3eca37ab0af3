// `disco stats --scores S.csv [--curves C.csv] [--taus T] [--reps N] [--seed S]
// [--normalise]`: aggregate statistics of final scores (raw, or normalised per
// environment by src/eval/reference_scores.h), as rliable computes them
// (src/eval/score_stats.h). Prints JSON Lines: one object per rule (IQM, mean,
// median and optimality gap, each with its 95% stratified-bootstrap interval;
// `runs` is the number of runs per task, the fewest where tasks differ, and
// `tasks` the number of tasks; its performance profile with 95% bands,
// src/eval/performance_profile.h; with --curves, its sample-efficiency curve,
// src/eval/sample_efficiency.h), then, with two rules or more, one object per
// ordered pair (X, Y) with the probability that X improves on Y and its
// interval. Rules print in name order; every rule needs runs on every task of
// the table.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "eval/reference_scores.h"
#include "eval/score_report.h"
#include "eval/score_table.h"

namespace disco::cli {
namespace {

struct StatsOptions {
  std::string scores, curves;
  std::vector<double> taus;
  int reps = 50000;
  uint64_t seed = 0;
  bool normalise = false;
};

void print_stats(const StatsOptions& o) {
  if (o.reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(o.reps));
  BootstrapSettings settings;
  settings.reps = o.reps;
  settings.seed = o.seed;
  ScoreTable table = read_score_csv(o.scores);
  CurveTable curves;
  if (!o.curves.empty()) curves = read_curve_csv(o.curves);
  if (o.normalise) {
    try {
      table = normalise_score_table(table);
    } catch (const std::invalid_argument& e) {
      throw UsageError(o.scores + ": " + e.what());
    }
    for (auto& [frames, at] : curves) {
      try {
        at = normalise_score_table(at);
      } catch (const std::invalid_argument& e) {
        throw UsageError(o.curves + ": " + e.what());
      }
    }
  }
  // Everything is computed before anything is printed: an error leaves no partial output.
  auto report = score_report(table, settings, o.scores, o.taus);
  if (!o.curves.empty()) add_sample_efficiency(&report, curves, settings, o.curves);
  for (const auto& j : report) {
    std::cout << j.dump() << "\n";
  }
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stats",
      "IQM, mean, median, optimality gap, performance profiles and probability of improvement "
      "of final scores, and with --curves the IQM over frames, with stratified-bootstrap 95% "
      "intervals (rliable); JSON Lines");
  static StatsOptions options;
  cmd->add_option("--scores", options.scores,
                  "CSV with columns rule,task,seed,score (any order, others ignored)")
      ->required();
  cmd->add_option("--curves", options.curves,
                  "CSV with columns rule,task,seed,frames,score: each run's score at checkpoints "
                  "of frames (as DIR/learning_curves.csv of `disco eval`), for each rule's "
                  "sample-efficiency curve (IQM at each checkpoint)");
  cmd->add_option("--taus", options.taus,
                  "thresholds of the performance profiles, comma-separated (default: 101 from "
                  "min(0, lowest score) to max(1, highest score))")
      ->delimiter(',');
  cmd->add_option("--reps", options.reps, "bootstrap resamples (default 50000)");
  cmd->add_option("--seed", options.seed, "seed of the bootstrap (default 0)");
  cmd->add_flag("--normalise", options.normalise,
                "normalise each task (an environment name) to random = 0, reference = 1 by the "
                "table of src/eval/reference_scores.cc (scores and curves); a task without an "
                "entry is an error");
  cmd->callback([]() { print_stats(options); });
}

}  // namespace disco::cli
