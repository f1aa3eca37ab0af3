// The Disco rule beyond the golden case: other T, B, A (episodes of length
// one, episodes ending on the last transition), the loss mask, and the
// UpdateRule interface with a target network.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "golden_util.h"
#include "io/npz_tensors.h"
#include "core/simd_rows.h"
#include "rules/disco_rule.h"
#include "rules/disco_value.h"
#include "golden/disco_targets.h"

namespace disco {
namespace {

constexpr int64_t kY = 600, kBins = 601;

// Synthetic calls in the golden layout, as the README describes its data.
// Episodes end at the given (t, b) time steps (discount 0 on step t >= 1);
// later calls start with the previous call's last discount.
ParamMap synthetic_calls(int64_t t, int64_t b, int64_t a, int calls,
                         const std::vector<std::pair<int64_t, int64_t>>& ends, uint64_t seed) {
  torch::manual_seed(seed);
  ParamMap file;
  torch::Tensor last_discount = torch::ones({b});
  for (int k = 1; k <= calls; ++k) {
    const std::string p = "call" + std::to_string(k) + "/";
    AgentOuts agent{{"logits", torch::randn({t + 1, b, a})},
                    {"y", torch::randn({t + 1, b, kY})},
                    {"z", torch::randn({t + 1, b, a, kY})},
                    {"aux_pi", torch::randn({t + 1, b, a, a})},
                    {"q", 0.5 * torch::randn({t + 1, b, a, kBins})}};
    for (const auto& [head, x] : agent) {
      file[p + "agent_out/" + head] = x;
      file[p + "behaviour_agent_out/" + head] = x + 0.5 * torch::randn_like(x);
      file[p + "target_out/" + head] = x + 0.3 * torch::randn_like(x);
    }
    file[p + "actions"] = torch::randint(0, a, {t + 1, b}, torch::kInt32);
    file[p + "rewards"] = torch::randint(-1, 2, {t, b}).to(torch::kFloat32);
    auto discounts = torch::ones({t + 1, b});
    discounts[0] = last_discount;
    for (const auto& [step, entry] : ends) discounts[step][entry] = 0.0f;
    file[p + "discounts"] = discounts;
    last_discount = discounts[t].clone();
  }
  return file;
}

bool all_finite(const ParamMap& out) {
  for (const auto& [key, x] : out) {
    if (!torch::isfinite(x).all().item<bool>()) return false;
  }
  return true;
}

std::vector<int64_t> shape(const ParamMap& out, const std::string& key) {
  return out.at(key).sizes().vec();
}

class OtherShapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t, int64_t>> {};

TEST_P(OtherShapes, OutputsHaveTheirShapesAndAreFinite) {
  const auto [t, b, a] = GetParam();
  // Batch entry 0's episode ends on the last transition of each call.
  const ParamMap file = synthetic_calls(t, b, a, 2, {{t, 0}}, 5);
  const ParamMap params = load_disco_meta_params(testing::weights_path());
  const ParamMap out = run_disco_calls(DiscoRule{}, params, file);
  EXPECT_TRUE(all_finite(out));
  for (const char* c : {"call1/", "call2/"}) {
    const std::string p = c;
    EXPECT_EQ(shape(out, p + "meta_out/pi"), (std::vector<int64_t>{t, b, a}));
    EXPECT_EQ(shape(out, p + "meta_out/z"), (std::vector<int64_t>{t, b, kY}));
    EXPECT_EQ(shape(out, p + "meta_out/meta_input_emb"), (std::vector<int64_t>{t, b, 1}));
    EXPECT_EQ(shape(out, p + "intermediates/meta_input"), (std::vector<int64_t>{t, b, 27}));
    EXPECT_EQ(shape(out, p + "intermediates/act_cond_emb"), (std::vector<int64_t>{t, b, a, 2}));
    EXPECT_EQ(shape(out, p + "intermediates/meta_lstm_x_avg"), (std::vector<int64_t>{16}));
    EXPECT_EQ(shape(out, p + "value_outs/normalized_qv_adv"), (std::vector<int64_t>{t + 1, b, a}));
    EXPECT_EQ(shape(out, p + "value_outs/q_target"), (std::vector<int64_t>{t, b}));
    EXPECT_EQ(shape(out, p + "loss/total_per_step"), (std::vector<int64_t>{t, b}));
    EXPECT_EQ(shape(out, p + "loss/total"), (std::vector<int64_t>{}));
    EXPECT_EQ(shape(out, p + "grad/agent_out/q"), (std::vector<int64_t>{t + 1, b, a, kBins}));
    EXPECT_EQ(shape(out, p + "state_out/meta_rnn/hidden"), (std::vector<int64_t>{128}));
  }
  int meta_grads = 0;
  for (const auto& [key, x] : out) meta_grads += key.rfind("meta_grad/", 0) == 0;
  EXPECT_EQ(meta_grads, 42);
  // A shift of all pi^ logits changes no softmax.
  EXPECT_LT(out.at("meta_grad/lstm/linear_4/b").abs().item<float>(), 1e-5f);
  // The meta-RNN's own LSTM only acts through call 1's state update.
  EXPECT_GT(out.at("meta_grad/lstm/~/meta_lstm/~unroll/lstm/linear/w").abs().max().item<float>(), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(DiscoRule, OtherShapes,
                         ::testing::Values(std::make_tuple(1, 2, 5), std::make_tuple(4, 3, 5),
                                           std::make_tuple(3, 1, 2), std::make_tuple(7, 2, 18)));

// Without a graph the categorical value's softmax and expectation run as one
// fused row kernel (core/simd_rows.h) where the CPU has it: LibTorch's values.
TEST(DiscoValue, FusedExpectationMatchesTheLibTorchForm) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  torch::manual_seed(7);
  const auto logits = (torch::randn({5, 8, 3, 601}) * 4).narrow(1, 2, 5);
  const auto fused = categorical_to_value(logits, 300.0);
  simd::set_enabled(false);
  const auto plain = categorical_to_value(logits, 300.0);
  simd::set_enabled(true);
  const double scale = 1 + plain.abs().max().item<double>();
  EXPECT_LE((fused - plain).abs().max().item<double>(), 1e-5 * scale);
  EXPECT_FALSE(torch::equal(fused, plain));  // the kernel did run
  // With a graph the LibTorch form runs, and the gradient reaches the logits.
  const auto x = logits.detach().clone().requires_grad_(true);
  const auto with_graph = categorical_to_value(x, 300.0);
  EXPECT_TRUE(with_graph.requires_grad());
  EXPECT_TRUE(torch::allclose(with_graph.detach(), plain, 1e-6, 1e-6));
}

TEST(DiscoRule, LossMaskTerminalsAndGradientRows) {
  const int64_t t = 4, b = 3, a = 4;
  // Entry 1 ends at step 2 and on the last transition; entry 2 at step 1.
  const ParamMap file = synthetic_calls(t, b, a, 2, {{2, 1}, {t, 1}, {1, 2}}, 9);
  const ParamMap out = run_disco_calls(DiscoRule{}, load_disco_meta_params(testing::weights_path()), file);
  for (const char* c : {"call1/", "call2/"}) {
    const std::string p = c;
    const auto d = file.at(p + "discounts");
    const auto mask = (d.slice(0, 0, t) > 0).to(torch::kFloat32);
    const auto is_terminal = (d.slice(0, 1) == 0).to(torch::kFloat32);
    const auto per_step = out.at(p + "loss/total_per_step");
    EXPECT_NEAR(out.at(p + "loss/total").item<float>(),
                ((per_step * mask).sum() / (mask.sum() + 1e-8)).item<float>(), 1e-5);
    EXPECT_TRUE(torch::allclose(per_step, out.at(p + "loss/agent_loss") + out.at(p + "loss/agent_loss_no_meta")));
    EXPECT_TRUE(torch::allclose(out.at(p + "loss/agent_loss_no_meta"), 0.2 * out.at(p + "loss/value")));
    // No one-step policy loss across an episode boundary.
    EXPECT_EQ((out.at(p + "loss/aux_policy") * is_terminal).abs().max().item<float>(), 0.0f);
    // Steps the mask drops get no gradient; nor does the bootstrap row T.
    for (const char* head : {"logits", "y", "z", "aux_pi", "q"}) {
      const auto g = out.at(p + "grad/agent_out/" + head);
      EXPECT_EQ(g[t].abs().max().item<float>(), 0.0f) << p << head;
      for (int64_t s = 0; s < t; ++s) {
        for (int64_t e = 0; e < b; ++e) {
          if (mask[s][e].item<float>() == 0.0f) {
            EXPECT_EQ(g[s][e].abs().max().item<float>(), 0.0f) << p << head << " " << s << "," << e;
          }
        }
      }
    }
  }
  // Call 2 of entry 1 starts on a LAST step: its first step is masked.
  EXPECT_EQ(file.at("call2/discounts")[0][1].item<float>(), 0.0f);
}

TEST(DiscoRule, AllStepsMaskedGivesZeroLoss) {
  // T = 1 and the previous rollout ended on its last step: nothing to learn.
  ParamMap file = synthetic_calls(1, 2, 3, 1, {}, 2);
  file["call1/discounts"][0] = torch::zeros({2});
  const ParamMap out = run_disco_calls(DiscoRule{}, load_disco_meta_params(testing::weights_path()), file);
  EXPECT_EQ(out.at("call1/loss/total").item<float>(), 0.0f);
  EXPECT_TRUE(all_finite(out));
}

TEST(DiscoRule, RandomlyInitialisedRuleGivesFiniteTargetsAndMetaGradients) {
  const DiscoRule rule;
  const ParamMap file = synthetic_calls(5, 2, 3, 2, {{3, 0}}, 4);
  const ParamMap out = run_disco_calls(rule, rule.init_meta_params(1), file);
  EXPECT_TRUE(all_finite(out));
  EXPECT_GT(out.at("meta_grad/lstm/linear_2/w").abs().max().item<float>(), 0.0f);
}

// The golden file's first call as the rule's inputs (observations: zeros,
// for an UnrollFn that ignores them).
UpdateRuleInputs golden_call1_inputs(const ParamMap& golden) {
  UpdateRuleInputs in;
  for (const char* head : {"logits", "y", "z", "aux_pi", "q"}) {
    in.agent_out[head] = golden.at(std::string("call1/agent_out/") + head);
    in.behaviour_agent_out[head] = golden.at(std::string("call1/behaviour_agent_out/") + head);
  }
  in.actions = golden.at("call1/actions").to(torch::kLong);
  in.rewards = golden.at("call1/rewards");
  in.is_terminal = golden.at("call1/is_terminal");
  in.observations = torch::zeros({in.actions.size(0), in.actions.size(1), 2});
  return in;
}

// The interface path: the target network is unrolled by the UnrollFn from the
// meta-state's target parameters, which then move 10% towards the online ones.
TEST(DiscoRule, UnrollMetaNetUsesTargetNetworkAndUpdatesItsParameters) {
  const ParamMap golden = load_tensors(testing::golden_path());
  const DiscoRule disco;
  const UpdateRule& rule = disco;
  const ParamMap meta_params = load_disco_meta_params(testing::weights_path());
  const ParamMap online{{"w", torch::full({2}, 1.0f)}};
  MetaState state = rule.init_meta_state(ParamMap{{"w", torch::full({2}, 3.0f)}});
  ASSERT_TRUE(state.count("target_params/w"));
  ASSERT_TRUE(state.count("meta_rnn/hidden") && state.count("td_ema/decay_product"));

  UpdateRuleInputs in = golden_call1_inputs(golden);
  int calls = 0;
  const auto unroll = [&](const ParamMap& params, const torch::Tensor& obs, const torch::Tensor& reset,
                          const std::vector<std::string>& graph_heads) {
    ++calls;
    // Only y and z of the target network can reach a meta-gradient.
    EXPECT_EQ(graph_heads, (std::vector<std::string>{"y", "z"}));
    EXPECT_EQ(params.at("w")[0].item<float>(), 3.0f);
    EXPECT_TRUE(torch::equal(reset, golden.at("call1/should_reset_mask_fwd")));
    AgentOuts target;
    for (const char* head : {"logits", "y", "z", "q"}) {
      target[head] = golden.at(std::string("call1/target_out/") + head);
    }
    return target;
  };
  const auto [meta_out, next] = rule.unroll_meta_net(meta_params, online, state, in, unroll);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(torch::allclose(next.at("target_params/w"), torch::full({2}, 0.9f * 3.0f + 0.1f)));
  const auto ratio = testing::error_ratio(meta_out.at("pi"), golden.at("call1/meta_out/pi"),
                                          testing::tolerance_for("meta_out/pi"));
  EXPECT_LE(ratio, 1.0);
  EXPECT_LE(testing::error_ratio(next.at("meta_rnn/hidden"), golden.at("call1/state_out/meta_rnn/hidden"),
                                 testing::tolerance_for("state_out/meta_rnn/hidden")),
            1.0);
  // agent_loss + agent_loss_no_meta through the interface = the golden total.
  const auto per_step = rule.agent_loss(in, meta_out, false).per_step +
                        rule.agent_loss_no_meta(in, meta_out).per_step;
  const auto total = masked_total_loss(per_step, golden.at("call1/loss_mask"));
  EXPECT_LE(testing::error_ratio(total, golden.at("call1/loss/total"), testing::tolerance_for("loss/total")), 1.0);
  EXPECT_TRUE(torch::equal(loss_mask_from_discounts(golden.at("call1/discounts")),
                           golden.at("call1/loss_mask")));
}

// Trajectories split into blocks side by side (UpdateRuleInputs::shards)
// give the targets, diagnostics, next meta-state and meta-gradient of one
// block, up to float rounding, and the same bits when repeated.
TEST(DiscoRule, TrajectoryBlocksSideBySideGiveTheSameTargets) {
  const ParamMap golden = load_tensors(testing::golden_path());
  const DiscoRule disco;
  ParamMap meta_params = load_disco_meta_params(testing::weights_path());
  UpdateRuleInputs in = golden_call1_inputs(golden);
  ASSERT_GE(in.rewards.size(1), 3);
  const auto unroll = [&](const ParamMap&, const torch::Tensor&, const torch::Tensor&,
                          const std::vector<std::string>&) {
    AgentOuts target;
    for (const char* head : {"logits", "y", "z", "q"}) {
      target[head] = golden.at(std::string("call1/target_out/") + head);
    }
    return target;
  };
  const MetaState state = disco.init_meta_state(ParamMap{{"w", torch::zeros({2})}});
  const auto run = [&](int shards, std::vector<torch::Tensor>* meta_grads) {
    ParamMap leaves;
    std::vector<torch::Tensor> list;
    for (const auto& [name, p] : meta_params) list.push_back(leaves[name] = p.clone().requires_grad_(true));
    auto blocked = in;
    blocked.shards = shards;
    auto result = disco.unroll_meta_net(leaves, ParamMap{{"w", torch::zeros({2})}}, state, blocked, unroll);
    const auto objective = result.first.at("pi").sum() + result.first.at("y").square().sum() +
                           result.second.at("meta_rnn/hidden").sum();
    *meta_grads = torch::autograd::grad({objective}, list, {}, false, false, /*allow_unused=*/true);
    return result;
  };
  std::vector<torch::Tensor> one_grads, grads, again_grads;
  const auto one = run(1, &one_grads);
  for (const int shards : {2, 3}) {
    const auto split = run(shards, &grads);
    for (const auto& [key, x] : one.first) {
      ASSERT_TRUE(split.first.count(key)) << key;
      EXPECT_EQ(split.first.at(key).sizes(), x.sizes()) << key;
      // Value targets (categorical values in blocks, then Retrace's sums) round
      // with the scale of the largest value, not of each entry.
      const bool value = key.rfind("value_outs/", 0) == 0;
      const double atol = value ? 1e-6 * (1 + x.abs().max().item<double>()) : 1e-5;
      EXPECT_TRUE(torch::allclose(split.first.at(key), x, 1e-4, atol)) << key << " " << shards;
    }
    EXPECT_EQ(split.first.size(), one.first.size());
    for (const auto& [key, x] : one.second) {
      EXPECT_TRUE(torch::allclose(split.second.at(key), x, 1e-4, 1e-5)) << key << " " << shards;
    }
    for (size_t i = 0; i < grads.size(); ++i) {
      ASSERT_EQ(grads[i].defined(), one_grads[i].defined()) << i;
      if (grads[i].defined()) {
        EXPECT_TRUE(torch::allclose(grads[i], one_grads[i], 1e-3, 1e-4)) << i;
      }
    }
  }
  const auto again = run(3, &again_grads);
  for (const auto& [key, x] : run(3, &grads).first) EXPECT_TRUE(torch::equal(again.first.at(key), x)) << key;
}

// unroll_rule_net is the target network's unroll that unroll_meta_net makes:
// the target parameters from the meta-state, the observations, the resets.
TEST(DiscoRule, UnrollRuleNetUnrollsTheTargetParameters) {
  const DiscoRule disco;
  const UpdateRule& rule = disco;
  const MetaState state = rule.init_meta_state(ParamMap{{"w", torch::full({2}, 3.0f)}});
  const auto obs = torch::randn({4, 2, 2});
  const auto reset = torch::tensor({{0.f, 0.f}, {1.f, 0.f}, {0.f, 0.f}, {0.f, 1.f}});
  const auto unroll = [&](const ParamMap& params, const torch::Tensor& o, const torch::Tensor& r,
                          const std::vector<std::string>& graph_heads) {
    EXPECT_TRUE(graph_heads.empty());
    EXPECT_EQ(params.size(), 1u);
    EXPECT_TRUE(torch::equal(o, obs));
    EXPECT_TRUE(torch::equal(r, reset));
    return AgentOuts{{"y", params.at("w") * 2}};
  };
  const AgentOuts out = rule.unroll_rule_net(state, obs, reset, unroll);
  EXPECT_TRUE(torch::equal(out.at("y"), torch::full({2}, 6.0f)));
  EXPECT_THROW(rule.unroll_rule_net(MetaState{}, obs, reset, unroll), std::invalid_argument);
}

}  // namespace
}  // namespace disco
