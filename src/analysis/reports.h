// The analyses' numbers as CSV and their pictures as PNG (gnuplot), each
// file written atomically into an output folder.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/horizon.h"
#include "analysis/probe.h"
#include "analysis/timeline.h"

namespace disco {

// timeline.csv (episode, step, y_confidence, policy_entropy, value, reward)
// and timeline_episode<e>.png, four stacked panels per episode.
std::vector<std::string> write_timeline_report(const std::string& dir, const Timeline& timeline,
                                               const std::vector<int64_t>& lengths);

// saliency.csv (output, row, column, value) and saliency.png, a heat map per
// output; `grids` are [H, W].
std::vector<std::string> write_saliency_report(const std::string& dir,
                                               const std::map<std::string, torch::Tensor>& grids);

// probe.csv and probe.png (R² of the future policy entropy, AUC of a large
// reward, against k, a line per input set).
std::vector<std::string> write_probe_report(const std::string& dir, const std::vector<ProbeScore>& scores);

// horizon.csv (target, k, mean, one column per trajectory) and horizon.png.
std::vector<std::string> write_horizon_report(const std::string& dir, const Horizon& horizon);

}  // namespace disco
