// The statistics of a score table as `disco stats` prints them and
// `disco eval` writes them: one JSON object per rule (IQM, mean, median,
// optimality gap, each with its bootstrap interval; runs and tasks), then one
// per ordered pair of rules (probability of improvement and its interval),
// and the same as a Markdown table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/score_stats.h"

namespace disco {

// Throws std::invalid_argument (naming `source`) when a rule lacks runs on a
// task of the table. Everything is computed before returning.
std::vector<nlohmann::ordered_json> score_report(const ScoreTable& table,
                                                 const BootstrapSettings& settings,
                                                 const std::string& source);

// The rules' rows of `report` as a Markdown table (IQM [95% CI], mean,
// median, optimality gap), then the probabilities of improvement.
std::string score_report_markdown(const std::vector<nlohmann::ordered_json>& report);

}  // namespace disco
