// One meta-step of a population, in small steps:
//   1. agent_meta_step     an agent's rollouts (all from its current
//                          parameters), its N inner updates and meta-gradient
//                          (meta/meta_gradient.h) through its window, its
//                          window and lifetime bookkeeping, its statistics;
//                          independent of every other agent, so a process
//                          runs its agents side by side, one thread each;
//   2. gather_contributions every agent's meta-gradient and statistics on
//                          every rank, in agent order, as named fields;
//   3. apply_meta_update   the rule's update from the agents whose
//                          meta-gradient and meta-loss are finite (an agent
//                          that is not is dropped and counted): Adam on their
//                          mean (the notebook), or one Adam per agent with
//                          the updates averaged (the paper); sums run in
//                          agent order, so every rank takes the same update;
//   4. population_metrics  the metrics row of the meta-step.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "io/metrics.h"
#include "meta/meta_settings.h"
#include "meta/population.h"
#include "optim/outer_adam.h"

namespace disco {

// One agent's meta-step, as it is logged.
struct AgentStats {
  double avg_return = std::numeric_limits<double>::quiet_NaN();  // NaN: no episode ended
  double pos_rewards = 0;  // rewards > 0 in the training rollouts (as the notebook counts)
  double neg_rewards = 0;  // rewards < 0
  double return_sum = 0;   // of the episodes that ended
  double episodes = 0;
  double reset = 0;   // 1 if the agent was reset after this meta-step
  double finite = 1;  // 0 if its meta-gradient or meta-loss was not finite (dropped)
};

struct AgentContribution {
  torch::Tensor meta_grad;             // flat float32 on the CPU, in rule-parameter order
  std::map<std::string, double> loss;  // the meta-loss terms (meta_loss_terms())
  AgentStats stats;
};

// `lifetimes_on`: whether a spent lifetime resets the agent (settings'
// lifetimes_start).
AgentContribution agent_meta_step(PopulationAgent& a, const ParamMap& meta_params,
                                  const MetaTrainSettings& s, const UpdateRule& rule,
                                  torch::Device device, bool lifetimes_on = true);

// Every agent's contribution, in agent order.
struct PopulationContributions {
  torch::Tensor meta_grads;  // [population, rule parameters]
  std::vector<std::map<std::string, double>> loss;
  std::vector<AgentStats> stats;
};

// `local`: this rank's agents, in order (every rank has at least one).
PopulationContributions gather_contributions(dist::Communicator& comm,
                                             const std::vector<AgentContribution>& local);

struct RuleUpdate {
  int contributing = 0;  // agents whose meta-gradient was used
  double meta_loss = std::numeric_limits<double>::quiet_NaN();  // their mean
  double grad_norm = std::numeric_limits<double>::quiet_NaN();  // of their mean meta-gradient
  double update_norm = 0;
  bool skipped = false;  // no agent contributed, or the update was not finite
};

// Updates `meta_params` and `opt` (one state, or one per agent); the rule is
// never replaced by non-finite values.
RuleUpdate apply_meta_update(const PopulationContributions& c, const MetaTrainSettings& s,
                             ParamMap& meta_params, std::vector<OuterAdamState>& opt);

// The meta-step's row: population means of the loss terms (over the agents
// used), per agent avg_return and reward counts, the update's norms.
MetricsRow population_metrics(const PopulationContributions& c, const RuleUpdate& u);

}  // namespace disco
