// The rule's loss in blocks of trajectories side by side, one thread each,
// for training's learner (agent/learner.h) with rules whose loss splits
// (UpdateRule::loss_splits_over_trajectories).
//
// Block k takes the batch columns [start, start + length): the rule's inputs
// and its [T(+1), B, ...] targets narrowed to them, with the online outputs
// as leaves of its own. Each block differentiates its part of the masked
// loss, Σ_block(per_step·mask) / (Σ_all mask + 1e-8), to those leaves on its
// own thread; the parts' gradients are joined along the batch, ready for
// the backward pass through the network (grad_sharded). The loss's logs are
// means over [T, B]: the blocks' logs weighted by their share of the batch.
// Blocks sum in a fixed order, so a run does not depend on timing.
#pragma once

#include <map>
#include <string>

#include "core/types.h"
#include "rules/update_rule.h"

namespace disco {

// The agent's whole loss per step, rule.agent_loss + rule.agent_loss_no_meta,
// with both logs merged (agent_loss's entries over agent_loss_no_meta's) and
// detached: what the learner minimises and logs, in blocks or not.
LossOut whole_agent_loss(const UpdateRule& rule, const UpdateRuleInputs& inputs,
                         const MetaOuts& meta_outs, bool backprop);

struct ShardedLoss {
  torch::Tensor total;                              // [] the masked loss (no graph)
  std::map<std::string, torch::Tensor> cotangents;  // ∂total/∂agent_out[head], [T+1, B, ...]
  std::map<std::string, torch::Tensor> log;         // agent_loss's and agent_loss_no_meta's logs
};

// `inputs.agent_out`: the joined online outputs (their heads that require a
// gradient get a cotangent); `loss_mask` [T, B]. Up to `shards` blocks, no
// more than there are trajectories.
ShardedLoss loss_sharded(const UpdateRule& rule, const UpdateRuleInputs& inputs,
                         const MetaOuts& meta_outs, const torch::Tensor& loss_mask, int shards);

}  // namespace disco
