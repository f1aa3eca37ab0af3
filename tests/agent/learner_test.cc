// The learner step (agent/learner.h) on a fixed batch with Disco103,
// checked against quantities computed here by hand: the target network's
// EMA uses the parameters from before the update; the update is clipped to
// the learning rate per entry; the loss is the masked mean of the rule's
// per-step terms; the meta-state is carried from one update to the next;
// and checkpoints written under the agent's earlier parameter names load.
#include "agent/learner.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "agent/checkpoint.h"
#include "learner_fixture.h"

namespace disco {
namespace {

constexpr int kB = LearnerFixture::kDefaultBatch;

TEST(LearnerStep, TargetEmaUsesThePreUpdateParametersAndUpdatesAreClipped) {
  LearnerFixture s;
  LearnerState state = init_learner_state(s.net, s.rule, s.opt, 1, torch::kCPU);
  // Make the target differ from the online parameters.
  for (auto& [k, t] : state.meta_state) {
    if (k.rfind("target_params/", 0) == 0) t = t + 0.1;
  }
  const auto r = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false);
  for (const auto& [name, p] : state.params) {
    const auto expected = 0.9 * state.meta_state.at("target_params/" + name) + 0.1 * p;
    EXPECT_TRUE(
        torch::allclose(r.next.meta_state.at("target_params/" + name), expected, 1e-6, 1e-7))
        << name;
    // First Adam step: |update| = lr·|g|/(|g| + eps) <= lr, clipped at lr.
    const auto step = (r.next.params.at(name) - p).abs();
    EXPECT_LE(step.max().item<double>(), s.opt_settings.learning_rate * (1 + 1e-6)) << name;
  }
  EXPECT_EQ(r.next.opt.count, 1);
  EXPECT_FALSE(r.next.params.begin()->second.requires_grad());
}

TEST(LearnerStep, LossIsTheMaskedMeanOfTheRulesPerStepTerms) {
  LearnerFixture s;
  const LearnerState state = init_learner_state(s.net, s.rule, s.opt, 2, torch::kCPU);
  const auto r = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false);
  auto inputs = UpdateRuleInputs::from_rollout(s.batch, r.agent_out);
  const auto terms = s.rule.agent_loss_terms(inputs, r.meta_outs, false);
  const auto value = s.rule.value_loss_terms(inputs, r.meta_outs);
  const auto per_step = terms.at("agent_loss") + value.at("agent_loss_no_meta");
  // mask[t] = discounts[t] > 0 for t < T: steps acting on a LAST step do not count.
  const auto mask = (s.batch.discounts.slice(0, 0, kT) > 0).to(torch::kFloat32);
  EXPECT_EQ(mask.sum().item<double>(), kT * kB - 2);
  const double expected = ((per_step * mask).sum() / (mask.sum() + 1e-8)).item<double>();
  EXPECT_NEAR(r.total_loss.item<double>(), expected, 1e-6 * std::abs(expected));
  const double unmasked = per_step.mean().item<double>();
  EXPECT_GT(std::abs(expected - unmasked), 1e-6);  // the mask matters here
}

TEST(LearnerStep, MetaStateIsCarriedBetweenUpdates) {
  LearnerFixture s;
  const LearnerState s0 = init_learner_state(s.net, s.rule, s.opt, 3, torch::kCPU);
  EXPECT_EQ(s0.meta_state.at("meta_rnn/hidden").abs().max().item<double>(), 0.0);
  const auto r1 = learner_step(s.net, s.rule, s.eta, s.opt, s0, s.batch, false);
  EXPECT_GT(r1.next.meta_state.at("meta_rnn/hidden").abs().max().item<double>(), 0.0);
  EXPECT_LT(r1.next.meta_state.at("adv_ema/decay_product").item<double>(), 1.0);
  const auto r2 = learner_step(s.net, s.rule, s.eta, s.opt, r1.next, s.batch, false);
  // The same second update from a state whose meta-RNN was not carried.
  LearnerState fresh_rnn = r1.next;
  fresh_rnn.meta_state["meta_rnn/hidden"] = s0.meta_state.at("meta_rnn/hidden");
  fresh_rnn.meta_state["meta_rnn/cell"] = s0.meta_state.at("meta_rnn/cell");
  const auto r2b = learner_step(s.net, s.rule, s.eta, s.opt, fresh_rnn, s.batch, false);
  EXPECT_GT((r2.meta_outs.at("pi") - r2b.meta_outs.at("pi")).abs().max().item<double>(), 1e-6);
  EXPECT_NEAR(r2.next.meta_state.at("adv_ema/decay_product").item<double>(), 0.99 * 0.99, 1e-6);
}

// Training's learner in blocks side by side (shards; Disco's loss, too, in
// blocks of trajectories): the same loss, logs, targets, gradient norm and
// rule state as the sequential step up to float rounding,
// parameters that moved the same way, and the same bits when repeated.
TEST(LearnerStep, BlocksSideBySideMatchTheSequentialStepAndRepeatBitForBit) {
  LearnerFixture s;
  const LearnerState state = init_learner_state(s.net, s.rule, s.opt, 1, torch::kCPU);
  const auto seq = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false, /*shards=*/1);
  for (const int shards : {2, 3}) {
    const auto split = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false, shards);
    // Every log, the rule's own merged from its blocks of trajectories.
    ASSERT_EQ(split.log.size(), seq.log.size());
    for (const auto& [key, x] : seq.log) {
      ASSERT_TRUE(split.log.count(key)) << key;
      EXPECT_TRUE(torch::allclose(split.log.at(key), x, 1e-4, 1e-6)) << key;
    }
    EXPECT_TRUE(torch::allclose(split.total_loss, seq.total_loss, 1e-5, 1e-7));
    for (const char* key : {"pi", "y", "z"}) {
      // The targets come out of the meta-network's 29-step LSTM, where the
      // blocks' matrix products (summed in another order by OpenBLAS's
      // AVX-512 kernels) round up to ~1e-4 relative apart.
      EXPECT_TRUE(torch::allclose(split.meta_outs.at(key), seq.meta_outs.at(key), 1e-3, 1e-5)) << key;
    }
    for (const auto& [key, x] : seq.next.meta_state) {
      EXPECT_TRUE(torch::allclose(split.next.meta_state.at(key), x, 1e-4, 1e-6)) << key;
    }
    // Adam's first step is ±lr per entry: a gradient entry near zero may
    // round to the other sign, so count the entries that moved differently.
    int64_t differ = 0, total = 0;
    for (const auto& [name, p] : seq.next.params) {
      differ += (split.next.params.at(name) - p).abs().gt(1e-6).sum().item<int64_t>();
      total += p.numel();
    }
    EXPECT_LE(differ, total / 100) << shards;
    EXPECT_FALSE(split.next.params.begin()->second.requires_grad());
  }
  const auto a = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false, 3);
  const auto b = learner_step(s.net, s.rule, s.eta, s.opt, state, s.batch, false, 3);
  for (const auto& [name, p] : a.next.params) EXPECT_TRUE(torch::equal(b.next.params.at(name), p)) << name;
  for (const auto& [key, x] : a.next.meta_state) EXPECT_TRUE(torch::equal(b.next.meta_state.at(key), x)) << key;
}

TEST(LearnerCheckpoint, StateWrittenUnderTheEarlierParameterNamesLoads) {
  LearnerFixture s;
  const LearnerState state = init_learner_state(s.net, s.rule, s.opt, 4, torch::kCPU);
  ParamMap now;
  put_learner_state(now, state);
  EXPECT_TRUE(now.count("agent/mlp/~_embedding_pass/torso/~/linear_0/w"));
  EXPECT_TRUE(now.count("agent/mlp/action_cond/linear/w"));
  // The layout before the Haiku method parts were added to the names.
  ParamMap before;
  for (const auto& [key, t] : now) {
    std::string k = key;
    for (const char* prefix : {"agent/", "opt/mu/", "opt/nu/", "meta_state/target_params/"}) {
      if (k.rfind(prefix, 0) == 0)
        k = prefix + agent_param_legacy_name(k.substr(std::string(prefix).size()));
    }
    before[k] = t;
  }
  EXPECT_TRUE(before.count("agent/mlp/~/torso/~/linear_0/w"));
  EXPECT_TRUE(before.count("meta_state/target_params/mlp/~/action_cond/~/linear/w"));
  EXPECT_TRUE(before.count("opt/mu/mlp/~/mlp_2/~/linear_1/b"));
  const LearnerState loaded = get_learner_state(before, state, torch::kCPU);
  for (const auto& [name, p] : state.params)
    EXPECT_TRUE(torch::equal(p, loaded.params.at(name))) << name;
  for (const auto& [name, p] : state.meta_state) {
    EXPECT_TRUE(torch::equal(p, loaded.meta_state.at(name))) << name;
  }
  before.erase("agent/mlp/~/torso/~/linear_0/w");
  EXPECT_THROW(get_learner_state(before, state, torch::kCPU), std::invalid_argument);
}

}  // namespace
}  // namespace disco
