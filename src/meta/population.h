// The agents of a meta-training population and their lifetimes.
//
// Agent i of P plays environment i mod E of the settings' list (the paper's
// Disco57 cycles through its games the same way); a population smaller than
// the list is refused, so that no environment is silently left out. Its
// randomness (initialisations, lifetimes, actions, environments) comes from
// (seed, i) alone, so an agent is the same whichever process or thread runs
// it. With lifetimes, an agent whose experience budget is spent is reset:
// fresh parameters, optimiser, meta-RNN state, EMAs, value function and
// window, and a new budget drawn with probability ∝ 1/budget (the paper's
// weighting: equal experience in each category). Agent i starts i/P of the
// way into its first budget, so that resets are staggered.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/actor.h"
#include "agent/replay.h"
#include "core/rng.h"
#include "meta/meta_gradient.h"
#include "meta/meta_settings.h"
#include "rules/update_rule.h"

namespace disco {

struct PopulationAgent {
  int index = 0;  // in the population
  std::string env;
  Rng rng{0};  // this agent's lifetimes and initialisations
  std::unique_ptr<AgentNet> net;
  std::unique_ptr<MetaValueFunction> value_fn;
  std::unique_ptr<MetaGradient> gradient;
  std::unique_ptr<Actor> actor;  // `batch` environments: the updates' rollouts, or with replay the validation's
  // With replay: the fresh part of each update comes from its own actor, and
  // the rest from the agent's replay (emptied at each new lifetime).
  std::unique_ptr<Actor> train_actor;
  std::unique_ptr<ReplayBuffer> replay;
  Rng replay_rng{0};
  AgentState state;
  int64_t budget = 0;      // env steps of this lifetime; 0 = unlimited
  int64_t experience = 0;  // env steps spent in this lifetime
  // The last (window - inner_steps) updates: the state before each and its
  // rollout, so that a meta-gradient can reach further back than one step.
  std::deque<std::pair<AgentState, Rollout>> history;

  bool lifetime_spent() const { return budget > 0 && experience >= budget; }
};

// The rollouts of one agent update: on-policy from `actor`, or with replay
// the fresh trajectories of `train_actor` (added to the replay) joined with a
// uniform sample of the replay along the batch axis.
Rollout update_rollout(PopulationAgent& a, const MetaTrainSettings& s, EpisodeStats& episodes);

// Where lifetimes begin late (settings' lifetimes_start): agent i is put
// i/P of the way into its current budget, as at the start of a run.
void restagger_lifetime(PopulationAgent& a, const MetaTrainSettings& s);

// Environment steps one agent takes per meta-step (fresh update
// trajectories and the validation rollout).
int64_t env_steps_per_meta_step(const MetaTrainSettings& s);

// The agents of `rank` of `ranks`: [first, last).
std::pair<int, int> agents_of(int rank, int ranks, int population);

// The environment of agent `index`. Throws std::invalid_argument when the
// population cannot cover every environment of the list.
std::string agent_env(const MetaTrainSettings& s, int index);

// Agent `index` at the start of its first lifetime (staggered). `rule` must
// outlive it.
std::unique_ptr<PopulationAgent> make_agent(const MetaTrainSettings& s, const UpdateRule& rule,
                                            int index, torch::Device device);

// A fresh lifetime: new parameters, optimisers, meta-state, value function,
// an empty window and a new budget.
void reset_agent(PopulationAgent& a, const MetaTrainSettings& s, const UpdateRule& rule,
                 torch::Device device);

// The rule's initial parameters of a random run: from the seed alone.
uint64_t rule_init_seed(uint64_t seed);

// The agent's checkpoint entries at `meta_step`, and the reverse (which
// checks that they belong to this agent and step; `file` names them in errors).
ParamMap save_agent(const PopulationAgent& a, int64_t meta_step);
void load_agent(const ParamMap& in, int64_t meta_step, const std::string& file,
                PopulationAgent& a, torch::Device device);

}  // namespace disco
