// Performance profiles of final scores, as rliable draws them (Agarwal et
// al., "Deep Reinforcement Learning at the Edge of the Statistical
// Precipice", NeurIPS 2021, section 4.2; github.com/google-research/rliable,
// library.py: run_score_deviation, create_performance_profile).
//
// The run-score profile of one rule at threshold tau is the fraction of all
// its runs, over every task and seed, whose score is above tau:
//
//   profile(tau) = #{(task, run) : score > tau} / #{(task, run)}
//
// (strictly above, as rliable's np.mean(scores > tau)). It falls from 1 to 0
// as tau grows; one rule's curve lying above another's at every tau means
// stochastic dominance.
//
// Bands: for each tau, the percentile interval of the profile over a
// stratified bootstrap (each resample draws, for every task independently, as
// many runs as it has, with replacement, from that task's own runs; the
// StratifiedResampler of score_stats.h). All thresholds are evaluated on the
// same resamples, as rliable's create_performance_profile does, and
// percentiles interpolate linearly between order statistics (numpy's
// default). The bands are a function of the scores, the thresholds and
// BootstrapSettings::seed.
#pragma once

#include <vector>

#include "eval/score_stats.h"

namespace disco {

struct PerformanceProfile {
  std::vector<double> taus;      // the thresholds, as given
  std::vector<double> fraction;  // [taus] the fraction of runs above each
  std::vector<Interval> ci;      // [taus] its stratified-bootstrap interval
};

// The fraction of all runs of `scores` above each threshold. Throws
// std::invalid_argument for no tasks, a task without runs, a score or a
// threshold that is not finite, or no thresholds.
std::vector<double> run_score_profile(const TaskScores& scores, const std::vector<double>& taus);

// The profile with its bands. Throws as run_score_profile, and for reps < 1
// or confidence outside (0, 1).
PerformanceProfile performance_profile(const TaskScores& scores, const std::vector<double>& taus,
                                       const BootstrapSettings& settings = {});

// `count` thresholds evenly spaced from min(0, lowest score) to max(1,
// highest score) over every rule's runs, so that every profile starts at or
// below 0 (random) and ends at or above 1 (the reference) on normalised
// scores. Throws std::invalid_argument for count < 2 or no scores.
std::vector<double> profile_thresholds(const std::vector<TaskScores>& rules, int count = 101);

}  // namespace disco
