// Aggregate statistics of final scores over runs and tasks, with stratified
// bootstrap intervals: the metrics of rliable (Agarwal et al., "Deep
// Reinforcement Learning at the Edge of the Statistical Precipice", NeurIPS
// 2021; github.com/google-research/rliable, metrics.py and library.py).
//
// Scores are plain doubles (normalised scores, typically 0 = random, 1 =
// reference); nothing here needs LibTorch. One rule's scores are TaskScores,
// scores[task][run]; tasks may have different numbers of runs.
//
//   metric                      definition (as rliable computes it)
//   interquartile_mean          mean of the middle 50% of all runs x tasks scores:
//                               sort, drop int(0.25 n) from each end (scipy's
//                               trim_mean(x, 0.25) on the flattened scores)
//   mean                        mean over tasks of each task's mean over runs
//   median                      median over tasks of each task's mean over runs
//   optimality_gap              mean over all runs x tasks of max(gamma - score, 0),
//                               gamma = 1 (= gamma - mean(min(score, gamma)))
//   probability_of_improvement  for each task, P(X > Y) + 0.5 P(X = Y) over all
//                               pairs (run of X, run of Y); averaged over tasks
//
// Intervals: percentile intervals of a stratified bootstrap (rliable's
// StratifiedBootstrap with task_bootstrap=False): each resample draws, for
// every task independently, as many runs as it has, with replacement, from
// that task's own runs. All four aggregate metrics are computed on the same
// resamples. For the probability of improvement, X's and Y's runs are
// resampled independently, each stratified by task (rliable's
// StratifiedIndependentBootstrap). Percentiles interpolate linearly between
// order statistics (numpy's default).
//
//   BootstrapSettings  type     meaning (default)
//   reps               int      number of resamples (50000, rliable's default)
//   confidence         double   coverage of the two-sided interval (0.95: 2.5 and 97.5)
//   seed               uint64   seed of the disco::Rng that draws the resamples (0);
//                               the interval is a function of the scores and the seed
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/rng.h"

namespace disco {

// One rule's scores: scores[task][run].
using TaskScores = std::vector<std::vector<double>>;

// rule -> task -> the scores of that rule's runs on that task.
using ScoreTable = std::map<std::string, std::map<std::string, std::vector<double>>>;

// Every task named anywhere in the table, sorted.
std::vector<std::string> all_tasks(const ScoreTable& table);

// `rule`'s scores, one entry per task of `tasks` in that order. Throws
// std::invalid_argument when the rule is absent or has no runs on a task.
TaskScores rule_scores(const ScoreTable& table, const std::string& rule,
                       const std::vector<std::string>& tasks);

struct AggregateMetrics {
  double iqm = 0, mean = 0, median = 0, optimality_gap = 0;
};

struct Interval {
  double low = 0, high = 0;
};

struct AggregateIntervals {
  Interval iqm, mean, median, optimality_gap;
};

struct BootstrapSettings {
  int reps = 50000;
  double confidence = 0.95;
  uint64_t seed = 0;
};

// The point metrics. Each throws std::invalid_argument for no tasks or a task
// without runs.
double interquartile_mean(const TaskScores& scores);
double mean_of_task_means(const TaskScores& scores);
double median_of_task_means(const TaskScores& scores);
double optimality_gap(const TaskScores& scores, double gamma = 1.0);
AggregateMetrics aggregate_metrics(const TaskScores& scores, double gamma = 1.0);

// scipy.stats.trim_mean(values, 0.25): reorders `values`. Throws for none.
double trimmed_mean_25(std::vector<double>& values);

// The q-th percentile (0 <= q <= 100) with linear interpolation between order
// statistics (numpy's default); reorders `values`. Throws for none.
double percentile(std::vector<double>& values, double q);

// Draws stratified resamples of one rule's scores: a resample has, for each
// task t, scores.at(t).size() values drawn with replacement from task t's runs,
// written to out[offset(t), offset(t + 1)). Allocates nothing per resample.
class StratifiedResampler {
 public:
  explicit StratifiedResampler(const TaskScores& scores);

  int num_tasks() const { return static_cast<int>(offsets_.size()) - 1; }
  // Start of task t's runs in the flat layout; offset(num_tasks()) = total runs.
  size_t offset(int task) const { return offsets_.at(task); }
  // The scores themselves, flat and task by task.
  const std::vector<double>& original() const { return flat_; }
  // Fills `out` (resized to the total number of runs) with one resample.
  void resample(Rng& rng, std::vector<double>* out) const;

 private:
  std::vector<double> flat_;
  std::vector<size_t> offsets_;
};

// Percentile intervals of the four aggregate metrics from a stratified
// bootstrap. Throws std::invalid_argument for reps < 1 or confidence outside (0, 1).
AggregateIntervals aggregate_intervals(const TaskScores& scores,
                                       const BootstrapSettings& settings = {}, double gamma = 1.0);

// Probability that a run of X scores above a run of Y on the same task (ties
// count half), averaged over tasks. x and y list the same tasks in the same
// order; their run counts may differ. Throws std::invalid_argument otherwise.
double probability_of_improvement(const TaskScores& x, const TaskScores& y);

// Its percentile interval from independent stratified bootstraps of x and y.
Interval probability_of_improvement_interval(const TaskScores& x, const TaskScores& y,
                                             const BootstrapSettings& settings = {});

}  // namespace disco
