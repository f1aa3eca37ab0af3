// Named settings that won an equal-budget tuning comparison on one family of
// environments (`disco eval --grid`), per kind of rule. `disco train --preset
// NAME` and `disco eval --preset NAME` apply them over the rule's defaults,
// before any --config file. Each preset states its evidence; docs/evaluation.md
// shows the runs.
//
//   preset  rule kind      settings                    evidence
//   catch   disco          (its defaults won)          Catch 5x5, 2 seeds, 30k frames:
//           actor_critic   optimizer.learning_rate 3e-3  IQM 0.99 against 0.18 at 5e-4
//           ppo            optimizer.learning_rate 1e-3  IQM 0.99 against 0.80 at 2.5e-4
//   minatar disco          optimizer.learning_rate 1e-3  MinAtar Breakout, 2 seeds, 100k frames:
//                                                        IQM 0.66 against 0.19 at 1e-2
//           actor_critic   optimizer.learning_rate 3e-3  IQM 0.75 against 0.13 at 5e-4
//           ppo            optimizer.learning_rate 1e-3  IQM 0.91 against 0.70 at 2.5e-4
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace disco {

struct TrainPreset {
  std::string name;
  std::string evidence;
  // Rule kind ("disco", "actor_critic", "policy_gradient", "ppo") -> settings
  // (keys as settings.json). A kind without an entry keeps its defaults.
  std::map<std::string, nlohmann::json> settings;
};

const std::vector<TrainPreset>& train_presets();

// "catch, minatar" (the names, comma-separated, for help texts and errors).
std::string train_preset_names();

// The settings of `preset` for `rule` (a rule name or .npz path): an object,
// empty where the preset keeps the rule's defaults. Throws
// std::invalid_argument for an unknown preset, naming the known ones.
nlohmann::json preset_settings(const std::string& preset, const std::string& rule);

}  // namespace disco
