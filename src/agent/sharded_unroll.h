// The agent network's unroll and backward pass with its rows split into
// blocks that run side by side, one thread each (core/thread_plan.h says why).
//
// The network has no state across time steps, so the rows of an unroll
// ([T+1, B, ...]) are independent: block k takes a contiguous range of time
// steps, and the joined outputs equal the sequential unroll's up to the
// rounding of smaller matrix products. The backward pass goes in two parts:
// the loss's gradient to the joined outputs (on one thread, or in blocks of
// trajectories for a rule whose loss splits: agent/sharded_loss.h), then
// each block's gradient to the parameters on its own thread, summed in block
// order, so the result does not depend on timing.
// Training only: meta-training differentiates through the rule's inputs too
// and keeps the sequential unroll.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/types.h"
#include "nets/agent_net.h"

namespace disco {

struct ShardedOuts {
  AgentOuts joined;               // [T+1, B, ...]: leaves that the loss reads
  std::vector<AgentOuts> blocks;  // block k's outputs, with their graph to the parameters
  std::vector<int64_t> starts;    // block k covers time steps [starts[k], starts[k] + lengths[k])
  std::vector<int64_t> lengths;
};

// As net.unroll (taken_actions undefined) or net.unroll_taken_gradients, in
// up to `shards` blocks (no more than there are time steps), recording graphs.
ShardedOuts unroll_sharded(const AgentNet& net, const ParamMap& params,
                           const torch::Tensor& observations, const torch::Tensor& taken_actions,
                           int shards);

// ∂loss/∂leaves through the blocks of `outs` (loss a function of outs.joined).
// Undefined where a leaf gets no gradient.
std::vector<torch::Tensor> grad_sharded(const torch::Tensor& loss, const ShardedOuts& outs,
                                        const std::vector<torch::Tensor>& leaves);

// The same from the loss's gradient to the joined outputs, by head
// ([T+1, B, ...] each; heads without one get none): the second part alone,
// for a loss differentiated elsewhere (agent/sharded_loss.h).
std::vector<torch::Tensor> grad_sharded(const ShardedOuts& outs,
                                        const std::map<std::string, torch::Tensor>& cotangents,
                                        const std::vector<torch::Tensor>& leaves);

// The rules' UnrollFn in blocks side by side, outputs joined without a graph
// (for unrolls that need no gradient, such as the target network's in training).
AgentUnrollFn sharded_unroll_fn(const AgentNet& net, int shards);

}  // namespace disco
