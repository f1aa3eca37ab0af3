// Plain records passed between actors, learners and update rules, time-major
// as in the reference (disco_rl/types.py). T = transitions, B = batch,
// A = actions, Y = prediction size of y/z (600), NB = value bins (601).
#pragma once

#include <torch/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/params.h"

namespace disco {

// Network outputs by head name, each [T+1, B, ...] (or [B, ...] for one step):
//   "logits" [.., A]      policy logits
//   "y"      [.., Y]      Disco's state prediction
//   "z"      [.., A, Y]   Disco's action-conditional prediction
//   "aux_pi" [.., A, A]   next-step policy logits predicted per action
//   "q"      [.., A, NB]  categorical action values
//   "v"      [.., NB] or [.., 1]  state value (actor-critic baselines)
// A rule asks only for the heads it needs (its output specs).
using AgentOuts = std::map<std::string, torch::Tensor>;

// Shape of one head per time step and batch entry, e.g. {"y", {600}}. For a
// model (action-conditional) head the network prepends A: z is {A, 600}.
using HeadSpecs = std::map<std::string, std::vector<int64_t>>;

// What actors record, in the reference's ActorRollout convention: entry t is
// the time step the agent saw at t, so rewards[t] and discounts[t] arrive
// WITH observation t (rewards[0] belongs to the previous rollout), and
// discounts[t] = 0 iff time step t is LAST (an episode ended on it).
//
// A time-limit cut is a LAST step too (discount 0: with same-step auto-reset
// observation t is already the next episode's), but the cut episode's value
// did not end: environments with a time limit also record, on the LAST step
// of a cut episode, truncated[t] = 1 and the observation it was cut on, so
// that learners can bootstrap from it. Both are undefined tensors for
// environments without a time limit.
struct Rollout {
  torch::Tensor observations;  // [T+1, B, ...] float
  torch::Tensor actions;       // [T+1, B] int64, the action taken at each step
  torch::Tensor rewards;       // [T+1, B] float
  torch::Tensor discounts;     // [T+1, B] float, 0 on LAST steps
  AgentOuts agent_outs;        // behaviour network outputs [T+1, B, ...]
  torch::Tensor truncated;               // [T+1, B] float 0/1, or undefined
  torch::Tensor truncated_observations;  // [T+1, B, ...] (zeros where not cut), or undefined
};

// Every defined tensor of a rollout under one stable name ("observations",
// ..., "agent_outs/<head>"), and back: what replay, checkpoints and device
// moves iterate over, so a new field is added in one place.
inline std::map<std::string, torch::Tensor> rollout_fields(const Rollout& r) {
  std::map<std::string, torch::Tensor> f = {{"observations", r.observations},
                                            {"actions", r.actions},
                                            {"rewards", r.rewards},
                                            {"discounts", r.discounts}};
  if (r.truncated.defined()) f["truncated"] = r.truncated;
  if (r.truncated_observations.defined()) f["truncated_observations"] = r.truncated_observations;
  for (const auto& [head, t] : r.agent_outs) f["agent_outs/" + head] = t;
  return f;
}

// Throws std::invalid_argument naming a missing required field.
Rollout rollout_from_fields(const std::map<std::string, torch::Tensor>& fields);

// The rollout with `fn` applied to every defined tensor.
Rollout map_rollout(const Rollout& r, const std::function<torch::Tensor(const torch::Tensor&)>& fn);

// What an update rule reads (the reference's UpdateRuleInputs).
struct UpdateRuleInputs {
  torch::Tensor observations;     // [T+1, B, ...]
  torch::Tensor actions;          // [T+1, B] int64; actions[T] only bootstraps
  torch::Tensor rewards;          // [T, B]   reward of transition t
  torch::Tensor is_terminal;      // [T, B]   float 0/1: transition t ended its episode
  AgentOuts agent_out;            // online network outputs [T+1, B, ...]
  AgentOuts behaviour_agent_out;  // outputs of the network that acted [T+1, B, ...]
  // Transitions cut by a time limit (is_terminal is 1 there too), or
  // undefined: truncated [T, B] float 0/1; the K observations they were cut
  // on, [K, ...] in row-major [T, B] order; and the online network's outputs
  // for them, [K, ...] (the learner fills both; empty when K = 0).
  torch::Tensor truncated;
  torch::Tensor truncated_observations;
  AgentOuts truncated_agent_out;
  // How many blocks of trajectories the rule may compute side by side, one
  // thread each (the training learner's shard count; core/thread_plan.h).
  // Changes rounding only, never the meaning.
  int shards = 1;

  // [T, B]: per_cut [K] placed at the cut transitions, zeros elsewhere (zeros
  // everywhere when nothing was cut). How a rule bootstraps a cut episode:
  // rewards + discount * truncation_values(v_final), with is_terminal 1.
  torch::Tensor truncation_values(const torch::Tensor& per_cut) const;

  // [T+1, B]: zeros row, then is_terminal (forward RNN resets).
  torch::Tensor should_reset_mask_fwd() const;
  // [T+1, B]: is_terminal, then a zeros row (reverse-time RNN resets).
  torch::Tensor should_reset_mask_bwd() const;

  // Builds the inputs from a rollout as the reference's learner does:
  // rewards = rollout.rewards[1:], is_terminal = (rollout.discounts[1:] == 0).
  static UpdateRuleInputs from_rollout(const Rollout& rollout, AgentOuts agent_out);
};

// (params, observations [T+1,B,...], should_reset [T+1,B], graph_heads) ->
// outputs [T+1,B,...]: how an update rule unrolls the agent network with
// other parameters (e.g. Disco's target network). When a graph is recorded,
// only the heads in `graph_heads` carry it (empty: every head); the rule
// names the heads whose graph can reach a meta-gradient.
using AgentUnrollFn = std::function<AgentOuts(const ParamMap& params,
                                              const torch::Tensor& observations,
                                              const torch::Tensor& should_reset,
                                              const std::vector<std::string>& graph_heads)>;

// Named tensors an update rule carries from one learner step to the next
// (meta-RNN state, EMA statistics, target-network parameters, ...). Flat, so
// checkpoints can store any rule's state generically.
using MetaState = std::map<std::string, torch::Tensor>;

// Targets and diagnostics from an update rule's meta-network (or, for
// hand-designed rules, from its own computations), keyed by name:
// Disco: "pi" [T,B,A], "y" [T,B,Y], "z" [T,B,Y], value outputs, ...
using MetaOuts = std::map<std::string, torch::Tensor>;

// A loss per step and scalar diagnostics.
struct LossOut {
  torch::Tensor per_step;                    // [T, B]
  std::map<std::string, torch::Tensor> log;  // scalars
};

}  // namespace disco
