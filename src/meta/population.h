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
  std::unique_ptr<Actor> actor;
  AgentState state;
  int64_t budget = 0;      // env steps of this lifetime; 0 = unlimited
  int64_t experience = 0;  // env steps spent in this lifetime
  // The last (window - inner_steps) updates: the state before each and its
  // rollout, so that a meta-gradient can reach further back than one step.
  std::deque<std::pair<AgentState, Rollout>> history;

  bool lifetime_spent() const { return budget > 0 && experience >= budget; }
};

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
