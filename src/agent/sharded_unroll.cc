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

// The joined outputs, [rows, B, ...] per head, allocated before the blocks
// run: each block writes its outputs without a graph straight into its rows.
AgentOuts allocate_joined(const AgentNet& net, const ParamMap& params,
                          const torch::Tensor& observations, bool taken_heads) {
  AgentOuts joined;
  const auto options = params.begin()->second.options().requires_grad(false);
  for (const auto& [head, shape] : net.output_shapes(taken_heads)) {
    std::vector<int64_t> sizes = {observations.size(0), observations.size(1)};
    sizes.insert(sizes.end(), shape.begin(), shape.end());
    joined[head] = torch::empty(sizes, options);
  }
  return joined;
}

std::vector<AgentOuts> unroll_blocks(const AgentNet& net, const ParamMap& params,
                                     const torch::Tensor& observations,
                                     const torch::Tensor& taken_actions,
                                     const std::vector<int64_t>& starts,
                                     const std::vector<int64_t>& lengths, const AgentOuts& joined) {
  std::vector<AgentOuts> blocks(starts.size());
  parallel_shards(static_cast<int>(starts.size()), [&](int k) {
    const auto rows = [&](const torch::Tensor& x) { return x.narrow(0, starts[k], lengths[k]); };
    AgentOuts into;
    for (const auto& [head, x] : joined) into[head] = rows(x);
    blocks[k] = net.unroll_into(params, rows(observations),
                                taken_actions.defined() ? rows(taken_actions) : torch::Tensor(),
                                into);
    // Outputs with a graph are the block's own: copied into place here, on
    // this block's thread (a torch::cat after the join would copy them all
    // on one core).
    torch::NoGradGuard no_grad;
    for (const auto& [head, x] : blocks[k]) {
      auto& dst = into.at(head);
      if (x.data_ptr() != dst.data_ptr()) dst.copy_(x);
    }
  });
  return blocks;
}

}  // namespace

ShardedOuts unroll_sharded(const AgentNet& net, const ParamMap& params,
                           const torch::Tensor& observations, const torch::Tensor& taken_actions,
                           int shards) {
  ShardedOuts outs;
  split_rows(observations.size(0), shards, outs.starts, outs.lengths);
  outs.joined = allocate_joined(net, params, observations, taken_actions.defined());
  outs.blocks = unroll_blocks(net, params, observations, taken_actions, outs.starts, outs.lengths,
                              outs.joined);
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
  // Training only: no graph is recorded, so graph_heads does not matter.
  return [&net, shards](const ParamMap& params, const torch::Tensor& observations,
                        const torch::Tensor& /*should_reset*/,
                        const std::vector<std::string>& /*graph_heads*/) {
    std::vector<int64_t> starts, lengths;
    split_rows(observations.size(0), shards, starts, lengths);
    if (starts.size() == 1) return net.unroll(params, observations);
    const auto joined = allocate_joined(net, params, observations, /*taken_heads=*/false);
    unroll_blocks(net, params, observations, {}, starts, lengths, joined);
    return joined;
  };
}

}  // namespace disco
