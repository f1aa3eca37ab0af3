// Disco's loss in blocks of trajectories side by side (agent/sharded_loss.h):
// the total, its gradient to every online output and every log equal the
// loss over the whole batch (float rounding apart), for block counts that do
// and do not divide the batch and more blocks than trajectories; repeated
// calls are bit-identical.
#include "agent/sharded_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learner_fixture.h"

namespace disco {
namespace {

// Five trajectories: blocks of 1 to 5 of them, even and uneven.
struct LossCase : LearnerFixture {
  MetaOuts targets;
  AgentOuts outputs;  // the online outputs, constants
  torch::Tensor mask;

  LossCase() : LearnerFixture(5) {
    const auto state = init_learner_state(net, rule, opt, 1, torch::kCPU);
    const auto step = learner_step(net, rule, eta, opt, state, batch, false);
    targets = step.meta_outs;
    outputs = step.agent_out;
    mask = loss_mask_from_discounts(batch.discounts);
  }

  // The inputs with every online output a fresh leaf.
  UpdateRuleInputs inputs(std::vector<std::string>& heads,
                          std::vector<torch::Tensor>& leaves) const {
    AgentOuts out;
    for (const auto& [head, x] : outputs) {
      heads.push_back(head);
      leaves.push_back(out[head] = x.clone().requires_grad_(true));
    }
    return UpdateRuleInputs::from_rollout(batch, out);
  }
};

TEST(ShardedLoss, TotalGradientsAndLogsEqualTheWholeBatchLoss) {
  LossCase c;
  ASSERT_TRUE(c.rule.loss_splits_over_trajectories());
  std::vector<std::string> heads;
  std::vector<torch::Tensor> leaves;
  const auto whole_inputs = c.inputs(heads, leaves);
  const auto loss = c.rule.agent_loss(whole_inputs, c.targets, false);
  const auto no_meta = c.rule.agent_loss_no_meta(whole_inputs, c.targets);
  const auto total = masked_total_loss(loss.per_step + no_meta.per_step, c.mask);
  const auto grads =
      torch::autograd::grad({total}, leaves, {}, false, false, /*allow_unused=*/true);
  std::map<std::string, torch::Tensor> logs = no_meta.log;
  for (const auto& [k, v] : loss.log) logs[k] = v;

  for (const int shards : {1, 2, 3, 5, 8}) {
    std::vector<std::string> unused_heads;
    std::vector<torch::Tensor> unused_leaves;
    const auto split =
        loss_sharded(c.rule, c.inputs(unused_heads, unused_leaves), c.targets, c.mask, shards);
    EXPECT_FALSE(split.total.requires_grad());
    EXPECT_NEAR(split.total.item<double>(), total.item<double>(),
                1e-6 * std::abs(total.item<double>()))
        << shards;
    for (size_t h = 0; h < heads.size(); ++h) {
      // A head the loss does not read gets no cotangent, one it reads gets all of it.
      ASSERT_EQ(split.cotangents.count(heads[h]) == 1, grads[h].defined()) << heads[h];
      if (!grads[h].defined()) continue;
      const auto& g = split.cotangents.at(heads[h]);
      ASSERT_EQ(g.sizes(), grads[h].sizes()) << heads[h];
      EXPECT_TRUE(torch::allclose(g, grads[h], 1e-4, 1e-7)) << heads[h] << " shards " << shards;
    }
    ASSERT_EQ(split.log.size(), logs.size());
    for (const auto& [key, v] : logs) {
      ASSERT_TRUE(split.log.count(key)) << key;
      EXPECT_TRUE(torch::allclose(split.log.at(key), v, 1e-4, 1e-6))
          << key << " shards " << shards << ": " << split.log.at(key).item<double>() << " vs "
          << v.item<double>();
    }
  }
  // The model heads are read at the taken actions only, and the logits are.
  EXPECT_TRUE(std::count(heads.begin(), heads.end(), "logits"));
  EXPECT_TRUE(grads[std::find(heads.begin(), heads.end(), "logits") - heads.begin()].defined());
}

TEST(ShardedLoss, RepeatedCallsAreBitIdentical) {
  LossCase c;
  std::vector<std::string> heads;
  std::vector<torch::Tensor> leaves;
  const auto a = loss_sharded(c.rule, c.inputs(heads, leaves), c.targets, c.mask, 3);
  const auto b = loss_sharded(c.rule, c.inputs(heads, leaves), c.targets, c.mask, 3);
  EXPECT_TRUE(torch::equal(a.total, b.total));
  ASSERT_FALSE(a.cotangents.empty());
  for (const auto& [head, g] : a.cotangents)
    EXPECT_TRUE(torch::equal(b.cotangents.at(head), g)) << head;
  for (const auto& [key, v] : a.log) EXPECT_TRUE(torch::equal(b.log.at(key), v)) << key;
}

}  // namespace
}  // namespace disco
