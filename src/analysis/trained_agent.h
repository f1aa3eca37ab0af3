// A trained agent read back from a `disco train` run folder: its settings,
// rule, network and the parameters (and rule state) of its last checkpoint.
// What every analysis of `disco analyze` starts from.
#pragma once

#include <memory>
#include <string>

#include "agent/learner.h"
#include "agent/train_settings.h"
#include "nets/agent_net.h"
#include "rules/rule_factory.h"

namespace disco {

struct TrainedAgent {
  TrainSettings settings;
  RuleChoice rule;
  std::unique_ptr<AgentNet> net;
  LearnerState state;  // params, optimiser, the rule's state (Disco: target params, EMAs, meta-RNN)
  int64_t learner_step = 0;
  int64_t env_steps = 0;  // environment frames the agent has trained on
};

// `rule` ("" = the run's own) replaces the run's rule, e.g. to look at a
// network trained with one rule through another of the same kind. Throws
// std::invalid_argument for a folder without settings.json or checkpoint.npz.
TrainedAgent load_trained_agent(const std::string& run_dir, const std::string& rule,
                                const std::string& disco103_weights);

// What the rule reads in one learner step of this agent: `trajectories`
// fresh rollouts of the run's length played by the agent, its online
// outputs on them and (Disco) the target network's.
struct RuleCall {
  UpdateRuleInputs inputs;
  AgentOuts target_out;  // UpdateRule::unroll_rule_net: empty for rules without their own network
};
RuleCall record_rule_call(const TrainedAgent& agent, int trajectories, uint64_t seed);

}  // namespace disco
