// The learner step of the reference's agent.py: unroll the agent network
// over a batch of trajectories, apply the rule's meta-network (targets as
// constants), and take one optimiser step on
//   loss = Σ((agent_loss + agent_loss_no_meta)·mask) / (Σ mask + 1e-8),
//   mask = discounts[:-1] > 0   (not a step where the agent acted on LAST).
// The network is unrolled once with gradients; the rule sees a detached copy
// of its outputs and parameters, which is what the reference's separate
// non-differentiated unroll gives.
#pragma once

#include <map>
#include <string>

#include "core/types.h"
#include "nets/agent_net.h"
#include "optim/inner_adam.h"
#include "rules/update_rule.h"

namespace disco {

struct LearnerState {
  ParamMap params;
  InnerAdamState opt;
  MetaState meta_state;
};

class Learner {
 public:
  // References must outlive the learner.
  Learner(const AgentNet& net, const UpdateRule& rule, const ParamMap& meta_params,
          InnerAdamSettings optimizer);

  LearnerState init(uint64_t seed, torch::Device device) const;

  // One update of `state` from `batch` [T+1, B, ...]; returns scalar logs
  // (0-d tensors, not synchronised: "total_loss", "global_gradient_norm",
  // and the rule's).
  std::map<std::string, torch::Tensor> step(LearnerState& state, const Rollout& batch) const;

 private:
  const AgentNet& net_;
  const UpdateRule& rule_;
  const ParamMap& meta_params_;
  InnerAdam optimizer_;
};

}  // namespace disco
