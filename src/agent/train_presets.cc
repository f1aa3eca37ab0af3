#include "agent/train_presets.h"

#include <stdexcept>

#include "rules/rule_factory.h"

namespace disco {

const std::vector<TrainPreset>& train_presets() {
  // experiments/eval_evidence.sh, step 3 (docs/evaluation.md, evidence run 2).
  static const std::vector<TrainPreset> presets = {
      {"catch",
       "tuned on catch(rows=5,columns=5), seeds 0-1, 30k frames, each rule's default learning rate "
       "against one other: Disco103 kept 1e-2 (IQM 0.86 against 0.33 at 3e-3), actor-critic took "
       "3e-3 (0.99 against 0.18 at 5e-4), PPO 1e-3 (0.99 against 0.80 at 2.5e-4)",
       {{"actor_critic", {{"optimizer", {{"learning_rate", 3e-3}}}}},
        {"ppo", {{"optimizer", {{"learning_rate", 1e-3}}}}}}},
      // experiments/eval_evidence.sh, step 5 (docs/evaluation.md, evidence run 4).
      {"minatar",
       "tuned on minatar_breakout, seeds 0-1, 100k frames, each rule's default learning rate "
       "against one other: Disco103 took 1e-3 (IQM 0.66 against 0.19 at 1e-2), actor-critic "
       "3e-3 (0.75 against 0.13 at 5e-4), PPO 1e-3 (0.91 against 0.70 at 2.5e-4)",
       {{"disco", {{"optimizer", {{"learning_rate", 1e-3}}}}},
        {"actor_critic", {{"optimizer", {{"learning_rate", 3e-3}}}}},
        {"ppo", {{"optimizer", {{"learning_rate", 1e-3}}}}}}},
      // experiments/crafter_evidence.sh (docs/crafter.md). Not tuned: a budget.
      {"crafter",
       "not tuned: each rule's defaults, except 64 environments for Disco103 and actor-critic, "
       "whose defaults (2 environments, batches of 64 replayed trajectories) replay each frame "
       "about 32 times, so that 1M frames of Disco103 would take about 6 hours on one core here; "
       "with 64 each frame is replayed about once and 1M frames take about 15 minutes",
       {{"disco", {{"num_envs", 64}}}, {"actor_critic", {{"num_envs", 64}}}}},
  };
  return presets;
}

std::string train_preset_names() {
  std::string out;
  for (const auto& p : train_presets()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

nlohmann::json preset_settings(const std::string& preset, const std::string& rule) {
  for (const auto& p : train_presets()) {
    if (p.name != preset) continue;
    const auto it = p.settings.find(rule_kind(rule));
    return it == p.settings.end() ? nlohmann::json::object() : it->second;
  }
  throw std::invalid_argument("unknown preset '" + preset + "' (known: " + train_preset_names() + ")");
}

}  // namespace disco
