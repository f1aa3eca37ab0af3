// The sample-efficiency curve of one rule, as rliable draws it (Agarwal et
// al., "Deep Reinforcement Learning at the Edge of the Statistical
// Precipice", NeurIPS 2021, Figure 9; github.com/google-research/rliable,
// README "Sample Efficiency Curve"): at each checkpoint of frames, the
// aggregate IQM of the scores all runs had there (the interquartile mean over
// every task and seed, score_stats.h's interquartile_mean), with a 95%
// percentile interval from a stratified bootstrap (each task's runs resampled
// with replacement, independently per task).
//
// Each checkpoint is bootstrapped on its own resamples, as rliable's
// get_interval_estimates does on a runs x tasks x frames array (it draws a
// run index for every cell). One disco::Rng seeded with
// BootstrapSettings::seed draws them, checkpoint after checkpoint, so the
// curve is a function of the scores and the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "eval/score_stats.h"

namespace disco {

struct CurvePoint {
  int64_t frames = 0;
  double iqm = 0;
  Interval ci;
};

// scores[c] holds the rule's scores (scores[c][task][run]) at checkpoint
// frames[c]. Throws std::invalid_argument when the two differ in length, for
// no checkpoints, frames that do not strictly increase, a checkpoint whose
// scores interquartile_mean refuses, reps < 1 or confidence outside (0, 1).
std::vector<CurvePoint> sample_efficiency_curve(const std::vector<int64_t>& frames,
                                                const std::vector<TaskScores>& scores,
                                                const BootstrapSettings& settings = {});

}  // namespace disco
