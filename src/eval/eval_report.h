// The report of an evaluation folder (`disco eval` writes it at the end,
// `disco report DIR` regenerates it): from DIR/eval.json, DIR/scores.csv and
// the run folders,
//   stats.jsonl      the rules' statistics (src/eval/score_report.h)
//   results.md       the same as Markdown tables
//   iqm.png          each rule's IQM with its 95% interval
//   performance_profile.png, .csv
//                    each rule's fraction of runs above each threshold of
//                    the (normalised) final score, with 95% bands
//                    (performance_profile.h)
//   sample_efficiency.png, .csv
//                    each rule's IQM over all runs at each of 40 checkpoints
//                    of frames, with 95% intervals (sample_efficiency.h)
//   learning_curves.csv
//                    every run's raw average return at those checkpoints
//                    (rule,task,seed,frames,score; `disco stats --curves`
//                    reads it), where all runs of its rule have one
//   curves_<env>.png each environment's learning curves: per rule, the mean
//                    over seeds of the average return in 40 windows of
//                    frames, with a 95% bootstrap interval over seeds
//   achievements_<env>.csv, .png, achievements.jsonl
//                    where runs logged achievements (Crafter): success rates
//                    per achievement and rule, and the Crafter score
//                    (achievement_report.h)
//   report.md        one page embedding the above
#pragma once

#include <string>

#include "eval/score_stats.h"

namespace disco {

// Throws std::invalid_argument when DIR lacks eval.json or scores.csv, and
// std::runtime_error when gnuplot fails.
void write_eval_report(const std::string& dir, const BootstrapSettings& settings);

}  // namespace disco
