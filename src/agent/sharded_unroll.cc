#include "agent/sharded_unroll.h"

#include <torch/torch.h>

#include <string>

#include "core/parallel_shards.h"

namespace disco {
namespace {

// The blocks of `rows` time steps for `shards` threads (core/parallel_shards.h).
void split_rows(int64_t rows, int shards, std::vector<int64_t>& starts,
                std::vector<int64_t>& lengths) {
  const int n = block_count(rows, shards);
  for (int k = 0; k < n; ++k) {
    const RowBlock block = row_block(rows, n, k);
    starts.push_back(block.start);
    lengths.push_back(block.length);
  }
}

std::vector<AgentOuts> unroll_blocks(const AgentNet& net, const ParamMap& params,
                                     const torch::Tensor& observations,
                                     const torch::Tensor& taken_actions,
                                     const std::vector<int64_t>& starts,
                                     const std::vector<int64_t>& lengths) {
  std::vector<AgentOuts> blocks(starts.size());
  parallel_shards(static_cast<int>(starts.size()), [&](int k) {
    const auto obs = observations.narrow(0, starts[k], lengths[k]);
    blocks[k] = taken_actions.defined()
                    ? net.unroll_taken_gradients(params, obs,
                                                 taken_actions.narrow(0, starts[k], lengths[k]))
                    : net.unroll(params, obs);
  });
  return blocks;
}

// Every head's block outputs joined along time, without a graph. The joined
// tensors are allocated once and each block copies its own rows on its own
// thread: a torch::cat would copy all of them on one core.
AgentOuts join_blocks(const std::vector<AgentOuts>& blocks, const std::vector<int64_t>& starts,
                      const std::vector<int64_t>& lengths) {
  torch::NoGradGuard no_grad;
  const int64_t rows = starts.back() + lengths.back();
  AgentOuts joined;
  for (const auto& [head, x] : blocks.front()) {
    std::vector<int64_t> shape = x.sizes().vec();
    shape[0] = rows;
    joined[head] = torch::empty(shape, x.options());
  }
  parallel_shards(static_cast<int>(blocks.size()), [&](int k) {
    for (const auto& [head, out] : joined) {
      out.narrow(0, starts[k], lengths[k]).copy_(blocks[k].at(head));
    }
  });
  return joined;
}

}  // namespace

ShardedOuts unroll_sharded(const AgentNet& net, const ParamMap& params,
                           const torch::Tensor& observations, const torch::Tensor& taken_actions,
                           int shards) {
  ShardedOuts outs;
  split_rows(observations.size(0), shards, outs.starts, outs.lengths);
  outs.blocks = unroll_blocks(net, params, observations, taken_actions, outs.starts, outs.lengths);
  outs.joined = join_blocks(outs.blocks, outs.starts, outs.lengths);
  for (auto& [head, x] : outs.joined) x.requires_grad_(outs.blocks.front().at(head).requires_grad());
  return outs;
}

std::vector<torch::Tensor> grad_sharded(const torch::Tensor& loss, const ShardedOuts& outs,
                                        const std::vector<torch::Tensor>& leaves) {
  std::vector<std::string> heads;
  std::vector<torch::Tensor> joined;
  for (const auto& [head, x] : outs.joined) {
    if (!x.requires_grad()) continue;
    heads.push_back(head);
    joined.push_back(x);
  }
  const auto by_head = torch::autograd::grad({loss}, joined, /*grad_outputs=*/{},
                                             /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
  std::map<std::string, torch::Tensor> cotangents;
  for (size_t h = 0; h < heads.size(); ++h) {
    if (by_head[h].defined()) cotangents[heads[h]] = by_head[h];
  }
  return grad_sharded(outs, cotangents, leaves);
}

std::vector<torch::Tensor> grad_sharded(const ShardedOuts& outs,
                                        const std::map<std::string, torch::Tensor>& cotangents,
                                        const std::vector<torch::Tensor>& leaves) {
  const int n = static_cast<int>(outs.blocks.size());
  std::vector<std::vector<torch::Tensor>> by_block(n);
  parallel_shards(n, [&](int k) {
    std::vector<torch::Tensor> outputs, grad_outputs;
    for (const auto& [head, cotangent] : cotangents) {
      outputs.push_back(outs.blocks[k].at(head));
      grad_outputs.push_back(cotangent.narrow(0, outs.starts[k], outs.lengths[k]));
    }
    if (outputs.empty()) {
      by_block[k].resize(leaves.size());
      return;
    }
    by_block[k] = torch::autograd::grad(outputs, leaves, grad_outputs, /*retain_graph=*/false,
                                        /*create_graph=*/false, /*allow_unused=*/true);
  });
  std::vector<torch::Tensor> grads(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    for (const auto& block : by_block) {
      const auto& g = block[i];
      if (!g.defined()) continue;
      grads[i] = grads[i].defined() ? grads[i] + g : g;
    }
  }
  return grads;
}

AgentUnrollFn sharded_unroll_fn(const AgentNet& net, int shards) {
  return [&net, shards](const ParamMap& params, const torch::Tensor& observations,
                        const torch::Tensor& /*should_reset*/) {
    std::vector<int64_t> starts, lengths;
    split_rows(observations.size(0), shards, starts, lengths);
    const auto blocks = unroll_blocks(net, params, observations, {}, starts, lengths);
    return blocks.size() == 1 ? blocks.front() : join_blocks(blocks, starts, lengths);
  };
}

}  // namespace disco
