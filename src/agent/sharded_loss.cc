#include "agent/sharded_loss.h"

#include <torch/torch.h>

#include <vector>

#include "core/parallel_shards.h"

namespace disco {
namespace {

torch::Tensor columns(const torch::Tensor& x, int64_t start, int64_t length) {
  return x.defined() ? x.narrow(1, start, length) : x;
}

// Block [start, start + length) of the batch, its online outputs that take a
// gradient as fresh leaves (`heads`, `leaves`). Cut observations are left
// out: [K, ...] rows have no batch axis, and a rule whose loss splits does
// not read them (their values are in its targets already).
UpdateRuleInputs trajectory_block(const UpdateRuleInputs& in, int64_t start, int64_t length,
                                  std::vector<std::string>& heads,
                                  std::vector<torch::Tensor>& leaves) {
  UpdateRuleInputs block;
  block.observations = columns(in.observations, start, length);
  block.actions = columns(in.actions, start, length);
  block.rewards = columns(in.rewards, start, length);
  block.is_terminal = columns(in.is_terminal, start, length);
  block.truncated = columns(in.truncated, start, length);
  for (const auto& [head, x] : in.behaviour_agent_out)
    block.behaviour_agent_out[head] = columns(x, start, length);
  for (const auto& [head, x] : in.agent_out) {
    if (!x.requires_grad()) {
      block.agent_out[head] = columns(x, start, length);
      continue;
    }
    auto leaf = columns(x, start, length).detach().requires_grad_(true);
    heads.push_back(head);
    leaves.push_back(leaf);
    block.agent_out[head] = leaf;
  }
  return block;
}

// The targets of the block: every [T(+1), B, ...] entry narrowed to it;
// others (batch-wide statistics) as they are.
MetaOuts target_block(const MetaOuts& meta_outs, int64_t batch, int64_t start, int64_t length) {
  MetaOuts block;
  for (const auto& [name, x] : meta_outs) {
    const bool per_trajectory = x.defined() && x.dim() >= 2 && x.size(1) == batch;
    block[name] = per_trajectory ? x.narrow(1, start, length) : x;
  }
  return block;
}

struct BlockResult {
  RowBlock trajectories;  // the batch columns it covers
  torch::Tensor part;     // this block's share of the total loss
  std::vector<std::string> heads;
  std::vector<torch::Tensor> grads;  // by head
  std::map<std::string, torch::Tensor> log;
};

}  // namespace

LossOut whole_agent_loss(const UpdateRule& rule, const UpdateRuleInputs& inputs,
                         const MetaOuts& meta_outs, bool backprop) {
  const auto loss = rule.agent_loss(inputs, meta_outs, backprop);
  const auto no_meta = rule.agent_loss_no_meta(inputs, meta_outs);
  LossOut whole;
  whole.per_step = no_meta.per_step.defined() ? loss.per_step + no_meta.per_step : loss.per_step;
  for (const auto& [key, v] : no_meta.log) whole.log[key] = v.detach();
  for (const auto& [key, v] : loss.log) whole.log[key] = v.detach();
  return whole;
}

ShardedLoss loss_sharded(const UpdateRule& rule, const UpdateRuleInputs& inputs,
                         const MetaOuts& meta_outs, const torch::Tensor& loss_mask, int shards) {
  const int64_t batch = inputs.rewards.size(1);
  const int n = block_count(batch, shards);
  const torch::Tensor denominator = loss_mask.sum() + 1e-8;
  // The cotangents, allocated once: each block writes its columns from its
  // own thread (a torch::cat after the join would copy them all on one core).
  // Pages of a head that gets no gradient are never touched.
  std::map<std::string, torch::Tensor> cotangents;
  for (const auto& [head, x] : inputs.agent_out) {
    if (x.requires_grad()) cotangents[head] = torch::empty_like(x);
  }
  std::vector<BlockResult> blocks(n);
  parallel_shards(n, [&](int k) {
    BlockResult& r = blocks[k];
    r.trajectories = row_block(batch, n, k);
    const auto [start, length] = r.trajectories;
    std::vector<torch::Tensor> leaves;
    const auto in = trajectory_block(inputs, start, length, r.heads, leaves);
    const auto targets = target_block(meta_outs, batch, start, length);
    auto loss = whole_agent_loss(rule, in, targets, /*backprop=*/false);
    r.part = (loss.per_step * loss_mask.narrow(1, start, length)).sum() / denominator;
    r.grads = torch::autograd::grad({r.part}, leaves, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                    /*create_graph=*/false, /*allow_unused=*/true);
    r.part = r.part.detach();
    torch::NoGradGuard no_grad;
    for (size_t h = 0; h < r.heads.size(); ++h) {
      if (r.grads[h].defined()) cotangents.at(r.heads[h]).narrow(1, start, length).copy_(r.grads[h]);
    }
    r.log = std::move(loss.log);
  });

  torch::NoGradGuard no_grad;
  ShardedLoss out;
  out.total = blocks.front().part;
  for (int k = 1; k < n; ++k) out.total = out.total + blocks[k].part;
  for (size_t h = 0; h < blocks.front().heads.size(); ++h) {
    bool any = false;
    for (const auto& b : blocks) any = any || b.grads[h].defined();
    if (!any) continue;  // a head the loss does not read gets no cotangent
    const std::string& head = blocks.front().heads[h];
    for (const auto& b : blocks) {
      if (!b.grads[h].defined()) {
        cotangents.at(head).narrow(1, b.trajectories.start, b.trajectories.length).zero_();
      }
    }
    out.cotangents[head] = cotangents.at(head);
  }
  for (const auto& [key, unused] : blocks.front().log) {
    torch::Tensor mean;
    for (const auto& b : blocks) {
      const auto share = b.log.at(key) * (static_cast<double>(b.trajectories.length) / batch);
      mean = mean.defined() ? mean + share : share;
    }
    out.log[key] = mean;
  }
  return out;
}

}  // namespace disco
