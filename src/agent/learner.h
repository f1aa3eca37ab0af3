// The learner step of the reference's agent.py (`learner_step`), as one
// function of explicit state: unroll the agent network over a batch of
// trajectories, apply the rule's meta-network, and take one optimiser step on
//   loss = Σ((agent_loss + agent_loss_no_meta)·mask) / (Σ mask + 1e-8),
//   mask = discounts[:-1] > 0   (not a step where the agent acted on LAST).
//
// Two modes, one computation:
//   training       (meta_training = false) the rule runs without a graph, its
//                  targets are constants and the update is plain arithmetic;
//                  the result holds no autograd history.
//   meta-training  (meta_training = true) everything stays differentiable in
//                  the rule's parameters and in the incoming state: the
//                  targets pi^, y^, z^ enter the loss without stop-gradient,
//                  the agent gradient is taken with create_graph, the Adam
//                  step, the target-network EMA and the meta-RNN state keep
//                  their graphs. Which inputs of the rule are constants is
//                  the rule's business (update_rule.h), not the learner's.
// In both modes the agent gradient g = ∂loss/∂θ treats the rule's targets as
// inputs of the loss, not as functions of θ (the reference differentiates
// its loss in the agent parameters with the targets closed over).
#pragma once

#include <map>
#include <string>

#include "core/types.h"
#include "nets/agent_net.h"
#include "optim/inner_adam.h"
#include "rules/update_rule.h"

namespace disco {

// Everything that one agent's learner carries from step to step.
struct LearnerState {
  ParamMap params;       // agent parameters θ
  InnerAdamState opt;    // its optimiser state
  MetaState meta_state;  // the rule's state (Disco: target params, meta-RNN, EMAs)
};

struct LearnerStepResult {
  LearnerState next;
  MetaOuts meta_outs;        // the rule's targets and diagnostics for this batch
  AgentOuts agent_out;       // the pre-step agent's outputs on the batch (no graph)
  torch::Tensor total_loss;  // [] the masked loss that was differentiated
  // 0-d tensors: "total_loss", "global_gradient_norm", "update_norm" and the
  // rule's own logs (Disco: pi_loss, y_loss, z_loss, aux_policy_loss, q_loss, ...).
  std::map<std::string, torch::Tensor> log;
};

// One learner update of `state` on `batch` ([T+1, B, ...]). In training,
// `shards` > 1 runs the agent network's unrolls and backward pass in that many
// blocks side by side (agent/sharded_unroll.h); meta-training ignores it.
LearnerStepResult learner_step(const AgentNet& net, const UpdateRule& rule,
                               const ParamMap& meta_params, const InnerAdam& optimizer,
                               const LearnerState& state, const Rollout& batch, bool meta_training,
                               int shards = 1);

// Fresh learner state: parameters from `seed`, zero optimiser moments, the
// rule's initial meta-state.
LearnerState init_learner_state(const AgentNet& net, const UpdateRule& rule,
                                const InnerAdam& optimizer, uint64_t seed, torch::Device device);

// A copy without autograd history.
LearnerState detach_learner_state(const LearnerState& state);

// The training loop's learner: a network, a rule and its meta-parameters
// bound to learner_step without a graph.
class Learner {
 public:
  // References must outlive the learner. `shards`: see learner_step.
  Learner(const AgentNet& net, const UpdateRule& rule, const ParamMap& meta_params,
          InnerAdamSettings optimizer, int shards = 1);

  LearnerState init(uint64_t seed, torch::Device device) const;

  // Replaces `state` by the updated one; returns the step's logs.
  std::map<std::string, torch::Tensor> step(LearnerState& state, const Rollout& batch) const;

 private:
  const AgentNet& net_;
  const UpdateRule& rule_;
  const ParamMap& meta_params_;
  InnerAdam optimizer_;
  int shards_;
};

}  // namespace disco
