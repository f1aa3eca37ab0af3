// The statistics of a score table as `disco stats` prints them and
// `disco eval` writes them: one JSON object per rule (IQM, mean, median,
// optimality gap, each with its bootstrap interval; runs and tasks; its
// performance profile with bands; with a curve table, its sample-efficiency
// curve), then one per ordered pair of rules (probability of improvement and
// its interval), and the same as a Markdown table.
//
// A rule's object holds, besides its scalars,
//   "performance_profile": {"tau": [...], "fraction": [...],
//                           "ci_low": [...], "ci_high": [...]}
//   "sample_efficiency":   {"frames": [...], "iqm": [...],
//                           "ci_low": [...], "ci_high": [...]}
// (performance_profile.h and sample_efficiency.h say how they are computed).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/score_stats.h"
#include "eval/score_table.h"

namespace disco {

// Throws std::invalid_argument (naming `source`) when a rule lacks runs on a
// task of the table. Everything is computed before returning. Every rule's
// profile is evaluated at `profile_taus`; empty: 101 thresholds from
// profile_thresholds over all the rules' scores.
std::vector<nlohmann::ordered_json> score_report(const ScoreTable& table,
                                                 const BootstrapSettings& settings,
                                                 const std::string& source,
                                                 const std::vector<double>& profile_taus = {});

// Adds each rule's sample-efficiency curve from `curves` (every checkpoint at
// which the rule has runs) to its object in `report`. Throws
// std::invalid_argument (naming `source`) when a rule of the report has no
// curve, the curves name a rule the report lacks, or a rule lacks runs on a
// task of the curves at one of its checkpoints.
void add_sample_efficiency(std::vector<nlohmann::ordered_json>* report, const CurveTable& curves,
                           const BootstrapSettings& settings, const std::string& source);

// The rules' rows of `report` as a Markdown table (IQM [95% CI], mean,
// median, optimality gap), then the probabilities of improvement.
std::string score_report_markdown(const std::vector<nlohmann::ordered_json>& report);

}  // namespace disco
