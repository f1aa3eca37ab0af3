// Equal tuning budgets for `disco eval --grid`: each rule gets a small grid of
// settings, the same number of configurations for every rule; all of them run
// on the tuning environments and seeds, the best per rule (highest IQM of its
// final scores there) is kept, and only that one is evaluated on the other
// environments with fresh seeds.
//
// A grid file (JSON or YAML) maps each rule, as named in --rules (an .npz by
// its file stem), to settings keys with lists of values; a key's dots name
// nested settings. A rule's configurations are the cartesian product, keys in
// name order, the last key varying fastest:
//
//   {"disco103": {"optimizer.learning_rate": [1e-2, 3e-4], "epochs": [1, 4]},
//    "ppo":      {"optimizer.learning_rate": [2.5e-4, 1e-3], "epochs": [4, 8]}}
//
// gives each rule 4 configurations, e.g. disco103's second is
// {"epochs": 1, "optimizer": {"learning_rate": 3e-4}}.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/score_stats.h"

namespace disco {

// Every rule's configurations (settings objects to apply over the rule's
// defaults and --config). Throws std::invalid_argument naming the problem: a
// rule of `rules` without an entry, an entry for no rule of `rules`, a value
// that is not a non-empty list, or rules with different numbers of
// configurations.
std::map<std::string, std::vector<nlohmann::json>> tuning_configurations(
    const nlohmann::json& grid, const std::vector<std::string>& rules);

// `base` with `overrides` merged in, nested objects merged key by key.
nlohmann::json merge_settings(const nlohmann::json& base, const nlohmann::json& overrides);

// A configuration in one line: "epochs=1, optimizer.learning_rate=0.0003".
std::string configuration_label(const nlohmann::json& config);

struct TuningResult {
  std::vector<double> iqm;  // per configuration, on the tuning environments
  int chosen = 0;           // the highest IQM; the first of equals
};

// scores[c] holds configuration c's final scores on the tuning environments
// (one task per environment; normalised by the caller where the environments
// differ in scale). Throws std::invalid_argument for no configurations or an
// empty one.
TuningResult choose_configuration(const std::vector<TaskScores>& scores);

}  // namespace disco
