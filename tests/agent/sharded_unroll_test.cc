// The agent network in blocks side by side (agent/sharded_unroll.h): the
// joined outputs and the gradient equal one sequential unroll's (float64,
// so only the order of sums differs), for both unroll kinds and block counts
// that do and do not divide the time steps; repeated calls are bit-identical.
#include "agent/sharded_unroll.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace disco {
namespace {

HeadSpecs disco_flat(int a) { return {{"logits", {a}}, {"y", {600}}}; }
HeadSpecs disco_model(int a) { return {{"z", {600}}, {"aux_pi", {a}}, {"q", {601}}}; }

struct Case {
  AgentNet net{AgentNetSettings{"mlp", {32, 16}, {}, 0.3, 8, {8}}, {7}, 3, disco_flat(3),
               disco_model(3)};
  ParamMap params;
  torch::Tensor obs, actions, weights;
  Case() {
    for (const auto& [name, t] : net.init(5)) params[name] = t.to(torch::kFloat64);
    torch::manual_seed(1);
    obs = torch::randn({7, 4, 7}, torch::kFloat64);  // T+1 = 7 time steps, B = 4
    actions = torch::randint(0, 3, {7, 4}, torch::kLong);
    weights = torch::randn({7, 4, 3}, torch::kFloat64);
  }
  // A loss that reads every head, the model heads at the taken actions
  // (the taken_head outputs where the unroll returns them).
  torch::Tensor loss(const AgentOuts& out) const {
    auto l = (out.at("logits") * weights).sum() + out.at("y").square().sum();
    for (const char* head : {"z", "aux_pi", "q"}) {
      const auto x = out.at(head);
      const auto taken = out.count(taken_head(head))
                             ? out.at(taken_head(head))
                             : x.gather(2, actions.view({7, 4, 1, 1}).expand({7, 4, 1, x.size(-1)}))
                                   .squeeze(2);
      l = l + taken.tanh().sum();
    }
    return l;
  }
  std::vector<torch::Tensor> leaves(ParamMap& map) const {
    std::vector<torch::Tensor> list;
    for (const auto& [name, t] : params) list.push_back(map[name] = t.clone().requires_grad_(true));
    return list;
  }
};

TEST(ShardedUnroll, OutputsAndGradientsEqualTheSequentialUnroll) {
  Case c;
  for (const bool taken : {false, true}) {
    ParamMap seq_params;
    const auto seq_leaves = c.leaves(seq_params);
    const auto seq_out = taken ? c.net.unroll_taken_gradients(seq_params, c.obs, c.actions)
                               : c.net.unroll(seq_params, c.obs);
    const auto seq_grads = torch::autograd::grad({c.loss(seq_out)}, seq_leaves);
    for (const int shards : {1, 2, 3, 7, 10}) {
      ParamMap map;
      const auto leaves = c.leaves(map);
      const auto outs =
          unroll_sharded(c.net, map, c.obs, taken ? c.actions : torch::Tensor(), shards);
      EXPECT_EQ(outs.blocks.size(), static_cast<size_t>(std::min(shards, 7)));
      for (const auto& [head, x] : seq_out) {
        ASSERT_TRUE(outs.joined.count(head)) << head;
        EXPECT_TRUE(outs.joined.at(head).is_leaf()) << head;
        EXPECT_TRUE(torch::allclose(outs.joined.at(head), x, 1e-12, 1e-12)) << head << shards;
      }
      const auto grads = grad_sharded(c.loss(outs.joined), outs, leaves);
      ASSERT_EQ(grads.size(), seq_grads.size());
      for (size_t i = 0; i < grads.size(); ++i) {
        ASSERT_TRUE(grads[i].defined()) << i;
        EXPECT_TRUE(torch::allclose(grads[i], seq_grads[i], 1e-10, 1e-12))
            << i << " taken " << taken << " shards " << shards;
      }
    }
  }
}

TEST(ShardedUnroll, RepeatedCallsAreBitIdentical) {
  Case c;
  std::vector<torch::Tensor> first;
  for (int run = 0; run < 2; ++run) {
    ParamMap map;
    const auto leaves = c.leaves(map);
    const auto outs = unroll_sharded(c.net, map, c.obs, c.actions, 3);
    const auto grads = grad_sharded(c.loss(outs.joined), outs, leaves);
    if (run == 0) {
      first = grads;
      continue;
    }
    for (size_t i = 0; i < grads.size(); ++i) EXPECT_TRUE(torch::equal(grads[i], first[i])) << i;
  }
}

TEST(ShardedUnroll, UnrollFnJoinsBlocksWithoutAGraph) {
  Case c;
  torch::NoGradGuard no_grad;
  const auto seq = c.net.unroll(c.params, c.obs);
  const auto joined = sharded_unroll_fn(c.net, 4)(c.params, c.obs, torch::zeros({7, 4}), {});
  for (const auto& [head, x] : seq) {
    ASSERT_TRUE(joined.count(head)) << head;
    EXPECT_EQ(joined.at(head).sizes(), x.sizes()) << head;
    EXPECT_TRUE(torch::allclose(joined.at(head), x, 1e-12, 1e-12)) << head;
    EXPECT_FALSE(joined.at(head).requires_grad()) << head;
  }
}

}  // namespace
}  // namespace disco
