// Every setting of `disco train`, with defaults that depend on the rule:
//
// Disco rules (disco103, *.npz): the reference's evaluation notebook
// (colabs/eval.ipynb) on Catch: 2 environments, trajectories of 29 time
// steps, a replay of 1024 trajectories sampled uniformly, 64 trajectories per
// learner step once 64 are stored, one learner step per actor rollout,
// learning rate 1e-2, MLP 512,512 with a 128-unit LSTM model and 128-unit
// model heads, target-parameter coefficient 0.9 (a rule setting).
// actor_critic / policy_gradient: the same loop with the reference's
// actor-critic agent settings (learning rate 5e-4, MLP 64,32,32).
// ppo: CleanRL's ppo.py: 4 environments x 128 transitions on-policy (no
// replay), 4 epochs of 4 minibatches, Adam lr 2.5e-4 eps 1e-5, global
// gradient norm clip 0.5, no per-entry update clip, MLP 64,64.
//
// `steps` counts LEARNER steps (gradient updates); replay warm-up rollouts
// before the first learner step do not count.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "nets/agent_net.h"
#include "optim/inner_adam.h"

namespace disco {

struct TrainSettings {
  std::string rule = "disco103";
  std::string env = "catch(rows=8,columns=8)";
  uint64_t seed = 0;
  int64_t steps = 1000;        // learner steps
  std::string device = "cpu";  // torch device, e.g. "cuda:0"
  int num_envs = 2;            // environments stepped by the actor
  int rollout_length = 29;     // time steps per trajectory (T+1)
  int batch_size = 64;         // trajectories per learner step (replay)
  int replay_capacity = 1024;  // trajectories kept; 0 = learn on-policy
  int min_replay = 64;         // trajectories stored before learning starts
  int epochs = 1;              // learner passes per actor rollout
  int minibatches = 1;         // on-policy: the rollout split per pass
  AgentNetSettings net;
  InnerAdamSettings optimizer;
  nlohmann::json rule_settings = nlohmann::json::object();  // see rules/*.h
  int log_every = 10;                                       // learner steps per metrics row
  int checkpoint_every = 500;  // learner steps per checkpoint (and at the end)
};

// The defaults above for `rule` (a rule name or .npz path). Throws for an
// unknown rule.
TrainSettings default_train_settings(const std::string& rule);

// Overrides fields from a JSON object (keys as the field names; "net",
// "optimizer", "rule_settings" nested). Unknown keys throw, and so do keys
// that would do nothing: batch_size and min_replay without replay
// (replay_capacity 0), minibatches with replay. `kIgnore` is for the
// settings.json of runs written before that check, which list every key.
enum class UnusedKeys { kRefuse, kIgnore };
void apply_settings_json(const nlohmann::json& j, TrainSettings& s,
                         UnusedKeys unused = UnusedKeys::kRefuse);
// Every key that has an effect in `s` (none of those refused above).
nlohmann::json settings_to_json(const TrainSettings& s);

// The nested "net" and "optimizer" sections, shared with meta-training's
// settings: read (unknown keys throw, naming `where`) and written back.
void apply_net_settings_json(const nlohmann::json& j, const std::string& where,
                             AgentNetSettings& s);
nlohmann::json net_settings_to_json(const AgentNetSettings& s);
void apply_optimizer_settings_json(const nlohmann::json& j, const std::string& where,
                                   InnerAdamSettings& s);
nlohmann::json optimizer_settings_to_json(const InnerAdamSettings& s);

// Throws std::invalid_argument for values that cannot work (steps <= 0, ...).
void validate_settings(const TrainSettings& s);

}  // namespace disco
