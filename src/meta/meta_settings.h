// Every setting of `disco meta-train`. Defaults = the reference's
// meta-training notebook (colabs/meta_train.ipynb): Catch 5x5, 2 agents,
// rollouts of 16 time steps (15 transitions), 2 inner steps, 32 trajectories per agent, a
// validation rollout of twice the rollout's time steps (32), agent MLP (512,512)
// with an LSTM model of 256 and model heads (256,), agent Adam lr 5e-4 with
// update clip 1, meta value function MLP (256,256) lr 1e-3, meta-optimiser
// Adam 5e-4 on the mean meta-gradient, 800 meta-steps, a random initial rule.
// The paper's (Oh et al. 2025, Methods) options are settings, off by default:
// one Adam per agent with averaged updates, meta-gradient clipping, a
// sliding window of up to 20 agent updates, and finite lifetimes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "meta/checkpoint_schedule.h"
#include "meta/meta_loss.h"
#include "meta/value_function.h"
#include "nets/agent_net.h"
#include "optim/inner_adam.h"
#include "optim/outer_adam.h"

namespace disco {

struct MetaTrainSettings {
  std::vector<std::string> envs = {"catch(rows=5,columns=5)"};  // agents take them in turn
  int population = 2;                                           // agents
  int inner_steps = 2;                                          // agent updates per meta-step (N)
  int rollout = 16;  // time steps per training rollout (T+1; the notebook's rollout_len)
  int batch = 32;    // environments (trajectories) per agent
  int meta_steps = 800;
  std::string init = "random";  // random | disco103 | FILE.npz
  uint64_t seed = 0;
  std::string device = "cpu";

  AgentNetSettings net;               // dense (512,512), lstm 256, heads (256,)
  InnerAdamSettings agent_optimizer;  // lr 5e-4, clip 1
  MetaValueSettings value;
  MetaLossSettings loss;
  OuterAdamSettings meta_optimizer;          // Adam 5e-4
  std::string meta_optimizer_mode = "mean";  // mean (notebook) | per_agent (paper)
  double meta_grad_clip = 0.0;               // global-norm clip of the meta-gradient, 0 = off
  int window = 0;                  // agent updates differentiated through, 0 = inner_steps
  std::vector<int64_t> lifetimes;  // experience budgets in env steps; empty = never reset
  // Lifetimes count from this meta-step on (staggered again then); before it,
  // agents are never reset, so that a random rule can first leave the random
  // policy with agents that keep what they learned (docs/meta_training.md).
  int lifetimes_start = 0;
  // Replay in the agents' updates (the paper: 90% of each batch replayed): each
  // update learns on batch - round(batch * replay_fraction) fresh trajectories
  // plus the rest drawn uniformly from the agent's FIFO replay of its earlier
  // fresh trajectories (replay_capacity of them). The meta-gradient's
  // validation rollout stays on-policy with `batch` environments. 0 = on-policy.
  double replay_fraction = 0.0;
  int replay_capacity = 1024;
  bool checkpointing = false;      // recompute inner updates in the backward pass
  int checkpoint_slots = static_cast<int>(kDefaultCheckpointSlots);  // states kept, besides the first

  int log_every = 1;          // meta-steps per metrics row
  int checkpoint_every = 50;  // meta-steps per checkpoint (and at the end)
  int rule_every = 100;       // meta-steps per rule.npz (and at the end)
};

MetaTrainSettings default_meta_train_settings();

// Overrides fields from a JSON object (keys as the field names; "net",
// "agent_optimizer", "value", "loss", "meta_optimizer" nested). Unknown keys
// throw.
void apply_meta_settings_json(const nlohmann::json& j, MetaTrainSettings& s);
nlohmann::json meta_settings_to_json(const MetaTrainSettings& s);

// Throws std::invalid_argument for values that cannot work.
void validate_meta_settings(const MetaTrainSettings& s);

// The window actually used: max(window, inner_steps).
int effective_window(const MetaTrainSettings& s);

// Fresh trajectories in each agent update: batch - round(batch * replay_fraction).
int fresh_per_update(const MetaTrainSettings& s);

}  // namespace disco
