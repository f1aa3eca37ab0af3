// The meta-gradient in double precision against central finite differences
// of the meta-loss along random directions in rule-parameter space, through
// several inner updates (second-order terms included), for a randomly
// initialised rule; and the checkpointed backward pass against the unrolled
// one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/stop_gradient.h"
#include "meta/meta_gradient.h"
#include "rules/disco_rule.h"

namespace disco {
namespace {

constexpr int kObs = 5, kActions = 3, kT = 4, kB = 3;

struct Fixture {
  DiscoRule rule;
  AgentNet net;
  MetaValueFunction value_fn;
  MetaGradient gradient;
  ParamMap eta;
  AgentState state;
  std::vector<Rollout> train;
  Rollout valid;

  static DiscoSettings small_rule() {
    DiscoSettings s;  // small meta-network so that double precision stays fast
    s.net.prediction_size = 12;
    s.net.hidden_size = 16;
    s.net.meta_rnn_hidden_size = 8;
    return s;
  }
  static AgentNetSettings small_net() {
    AgentNetSettings s;
    s.dense = {16, 16};
    s.lstm_size = 8;
    s.model_head_hiddens = {8};
    s.head_w_init_std = 0.3;  // lively outputs, so every path matters
    return s;
  }
  static MetaValueSettings small_value() {
    MetaValueSettings s;
    s.dense = {16};
    return s;
  }
  static InnerAdamSettings adam() {
    InnerAdamSettings s;
    s.learning_rate = 3e-2;  // large steps make the second-order terms visible
    return s;
  }

  Fixture(int inner_steps, uint64_t seed)
      : rule(small_rule()),
        net(small_net(), {kObs}, kActions, rule.flat_output_spec(kActions),
            rule.model_output_spec(kActions)),
        value_fn(small_value(), {kObs}),
        gradient(net, rule, adam(), value_fn, MetaLossSettings{}) {
    torch::manual_seed(seed);
    const auto d = torch::kFloat64;
    for (auto& [k, t] : rule.init_meta_params(seed)) eta[k] = t.to(d);
    const InnerAdam opt(adam());
    state.learner = init_learner_state(net, rule, opt, seed + 1, torch::kCPU);
    auto& l = state.learner;
    for (auto& [k, t] : l.params) t = t.to(d);
    // A few earlier updates' worth of optimiser state, so that Adam's ratio
    // is not ±1 everywhere.
    l.opt.count = 3;
    for (auto& [k, t] : l.opt.mu) t = 1e-3 * torch::randn(t.sizes(), d);
    for (auto& [k, t] : l.opt.nu) t = 1e-6 * torch::rand(t.sizes(), d) + 1e-7;
    for (auto& [k, t] : l.meta_state) {
      t = t.to(d);
      if (k.rfind("target_params/", 0) == 0) t = t + 0.05 * torch::randn(t.sizes(), d);
    }
    l.meta_state["meta_rnn/hidden"] = 0.3 * torch::randn({8}, d);
    l.meta_state["meta_rnn/cell"] = 0.3 * torch::randn({8}, d);
    state.value = value_fn.init(seed + 2, torch::kCPU);
    for (auto& [k, t] : state.value.params) t = t.to(d);
    for (auto& [k, t] : state.value.opt.mu) t = t.to(d);
    for (auto& [k, t] : state.value.opt.nu) t = t.to(d);
    for (auto* e : {&state.value.adv_ema, &state.value.td_ema}) {
      e->moment1 = e->moment1.to(d);
      e->moment2 = e->moment2.to(d);
      e->decay_product = e->decay_product.to(d);
    }
    for (int k = 0; k < inner_steps; ++k) train.push_back(random_rollout(kT + 1));
    valid = random_rollout(2 * (kT + 1));
  }

  static Rollout random_rollout(int64_t len) {
    const auto d = torch::kFloat64;
    Rollout r;
    r.observations = torch::randn({len, kB, kObs}, d);
    r.actions = torch::randint(0, kActions, {len, kB}, torch::kLong);
    r.rewards = torch::randint(-1, 2, {len, kB}).to(d) * (torch::rand({len, kB}, d) < 0.5).to(d);
    r.discounts = (torch::rand({len, kB}, d) > 0.25).to(d);
    r.agent_outs["logits"] = torch::randn({len, kB, kActions}, d);
    return r;
  }

  // The meta-loss at `params` with every stop-gradient'ed quantity replayed
  // from `tape` (recorded at the base point): the function whose gradient
  // the meta-gradient is.
  double loss_at(const ParamMap& params, std::vector<torch::Tensor>& tape) const {
    StopGradientTape replay(tape, StopGradientTape::Mode::kReplay);
    const double loss =
        gradient.compute(params, state, train, valid).meta_loss.at("total").item<double>();
    EXPECT_EQ(replay.replayed(), tape.size());
    return loss;
  }
};

class MetaGradDouble : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_default_dtype(caffe2::TypeMeta::Make<double>()); }
  void TearDown() override { torch::set_default_dtype(caffe2::TypeMeta::Make<float>()); }
};

TEST_F(MetaGradDouble, MatchesCentralFiniteDifferencesThroughThreeInnerSteps) {
  Fixture f(/*inner_steps=*/3, /*seed=*/7);
  std::vector<torch::Tensor> tape;
  MetaGradientResult result;
  {
    StopGradientTape record(tape, StopGradientTape::Mode::kRecord);
    result = f.gradient.compute(f.eta, f.state, f.train, f.valid);
  }
  ASSERT_GT(tape.size(), 50u);
  double grad_norm = 0;
  for (const auto& [k, g] : result.meta_grad) {
    EXPECT_EQ(g.scalar_type(), torch::kFloat64) << k;
    grad_norm += g.square().sum().item<double>();
  }
  ASSERT_GT(grad_norm, 0);
  // The meta-RNN parameters reach the loss only through the carried state:
  // with three steps they must get a gradient.
  EXPECT_GT(
      result.meta_grad.at("lstm/~/meta_lstm/~unroll/lstm/linear/w").abs().max().item<double>(), 0);

  torch::manual_seed(123);
  const double eps = 1e-5;
  for (int trial = 0; trial < 4; ++trial) {
    ParamMap plus, minus;
    double directional = 0;
    for (const auto& [k, p] : f.eta) {
      const auto dir = torch::randn(p.sizes(), torch::kFloat64);
      plus[k] = p + eps * dir;
      minus[k] = p - eps * dir;
      directional += (result.meta_grad.at(k) * dir).sum().item<double>();
    }
    const double fd = (f.loss_at(plus, tape) - f.loss_at(minus, tape)) / (2 * eps);
    EXPECT_NEAR(directional, fd, 1e-6 * std::max(1.0, std::abs(fd)))
        << "trial " << trial << ": analytic " << directional << ", finite differences " << fd;
  }
}

TEST_F(MetaGradDouble, CheckpointedBackwardPassEqualsUnrolled) {
  Fixture f(/*inner_steps=*/5, /*seed=*/11);
  const auto a = f.gradient.compute(f.eta, f.state, f.train, f.valid, /*checkpointing=*/false);
  // No slot (every input recomputed from the first state), the schedule's
  // splits, and a slot for every update.
  for (int64_t slots : {0, 1, 2, 5}) {
    const auto b = f.gradient.compute(f.eta, f.state, f.train, f.valid, /*checkpointing=*/true,
                                      /*record=*/false, slots);
    EXPECT_DOUBLE_EQ(a.meta_loss.at("total").item<double>(),
                     b.meta_loss.at("total").item<double>());
    for (const auto& [k, g] : a.meta_grad) {
      const double scale = std::max(1e-12, g.abs().max().item<double>());
      EXPECT_LT((g - b.meta_grad.at(k)).abs().max().item<double>(), 1e-9 * scale + 1e-15)
          << k << ", " << slots << " slots";
    }
    for (const auto& [k, p] : a.final_state.learner.params) {
      EXPECT_TRUE(torch::allclose(p, b.final_state.learner.params.at(k), 0, 1e-12))
          << k << ", " << slots << " slots";
    }
  }
}

// The plain (training) learner step and the meta-training one compute the
// same update; only the graph differs.
TEST_F(MetaGradDouble, TrainingAndMetaTrainingStepsAgree) {
  Fixture f(/*inner_steps=*/1, /*seed=*/3);
  const InnerAdam opt(Fixture::adam());
  const auto plain = learner_step(f.net, f.rule, f.eta, opt, f.state.learner, f.train[0], false);
  const auto meta = learner_step(f.net, f.rule, f.eta, opt, f.state.learner, f.train[0], true);
  EXPECT_FALSE(plain.next.params.begin()->second.requires_grad());
  for (const auto& [k, p] : plain.next.params) {
    EXPECT_TRUE(torch::allclose(p, meta.next.params.at(k).detach(), 0, 1e-13)) << k;
  }
  for (const auto& [k, t] : plain.next.meta_state) {
    EXPECT_TRUE(torch::allclose(t, meta.next.meta_state.at(k).detach(), 0, 1e-13)) << k;
  }
}

}  // namespace
}  // namespace disco
