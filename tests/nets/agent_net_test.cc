#include "nets/agent_net.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/simd_rows.h"

namespace disco {
namespace {

// The heads the Disco103 rule asks for.
HeadSpecs disco_flat(int a) { return {{"logits", {a}}, {"y", {600}}}; }
HeadSpecs disco_model(int a) { return {{"z", {600}}, {"aux_pi", {a}}, {"q", {601}}}; }

TEST(AgentNet, OutputShapesOverTimeAndBatch) {
  AgentNet net({}, {8, 8}, 3, disco_flat(3), disco_model(3));
  const auto params = net.init(0);
  const auto out = net.unroll(params, torch::rand({5, 4, 8, 8}));
  EXPECT_EQ(out.at("logits").sizes(), (std::vector<int64_t>{5, 4, 3}));
  EXPECT_EQ(out.at("y").sizes(), (std::vector<int64_t>{5, 4, 600}));
  EXPECT_EQ(out.at("z").sizes(), (std::vector<int64_t>{5, 4, 3, 600}));
  EXPECT_EQ(out.at("aux_pi").sizes(), (std::vector<int64_t>{5, 4, 3, 3}));
  EXPECT_EQ(out.at("q").sizes(), (std::vector<int64_t>{5, 4, 3, 601}));
  const auto only = net.forward(params, torch::rand({2, 8, 8}), {"logits"});
  EXPECT_EQ(only.size(), 1u);
  EXPECT_EQ(only.at("logits").sizes(), (std::vector<int64_t>{2, 3}));
}

TEST(AgentNet, ParameterNamesFollowHaiku) {
  AgentNet net({}, {8, 8}, 3, disco_flat(3), disco_model(3));
  const auto p = net.init(0);
  EXPECT_EQ(p.at("mlp/~_embedding_pass/torso/~/linear_0/w").sizes(), (std::vector<int64_t>{64, 512}));
  EXPECT_EQ(p.at("mlp/~_head_pass/torso_head/~/linear_0/w").sizes(), (std::vector<int64_t>{512, 3}));
  EXPECT_EQ(p.at("mlp/~_head_pass/torso_head_1/~/linear_0/w").sizes(), (std::vector<int64_t>{512, 600}));
  EXPECT_EQ(p.at("mlp/linear/w").sizes(), (std::vector<int64_t>{512, 128}));
  EXPECT_EQ(p.at("mlp/action_cond/linear/w").sizes(), (std::vector<int64_t>{131, 512}));
  EXPECT_EQ(p.at("mlp/mlp/~/linear_1/w").sizes(), (std::vector<int64_t>{128, 600}));    // z
  EXPECT_EQ(p.at("mlp/mlp_1/~/linear_1/w").sizes(), (std::vector<int64_t>{128, 3}));    // aux_pi
  EXPECT_EQ(p.at("mlp/mlp_2/~/linear_1/w").sizes(), (std::vector<int64_t>{128, 601}));  // q
  EXPECT_EQ(p.size(), 2u * (2 + 2 + 1 + 1 + 3 * 2));
}

TEST(AgentNet, InitIsDeterministicBySeed) {
  AgentNet net({}, {5, 5}, 3, disco_flat(3), disco_model(3));
  const auto a = net.init(7), b = net.init(7), c = net.init(8);
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
  EXPECT_FALSE(torch::equal(a.at("mlp/~_embedding_pass/torso/~/linear_0/w"), c.at("mlp/~_embedding_pass/torso/~/linear_0/w")));
  const auto obs = torch::rand({3, 5, 5});
  EXPECT_TRUE(torch::equal(net.forward(a, obs).at("z"), net.forward(b, obs).at("z")));
}

TEST(AgentNet, InitialiserStatistics) {
  // Haiku's TruncatedNormal(s): N(0, 1) cut at +-2, times s. Its stddev is
  // s * 0.8796 and no entry exceeds 2 s. Biases start at zero.
  AgentNet net({}, {8, 8}, 3, disco_flat(3), disco_model(3));
  const auto p = net.init(1);
  const double cut = 0.87962566103423978;
  const auto& w = p.at("mlp/~_embedding_pass/torso/~/linear_1/w");  // fan_in 512
  const double s = 1.0 / std::sqrt(512.0);
  EXPECT_NEAR(w.std().item<double>(), s * cut, 0.01 * s);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.01 * s);
  EXPECT_LE(w.abs().max().item<double>(), 2.0 * s + 1e-7);
  EXPECT_GT(w.abs().max().item<double>(), 1.9 * s);
  const auto& head = p.at("mlp/~_head_pass/torso_head_1/~/linear_0/w");  // head_w_init_std 1e-2
  EXPECT_NEAR(head.std().item<double>(), 1e-2 * cut, 1e-4);
  EXPECT_EQ(p.at("mlp/~_embedding_pass/torso/~/linear_0/b").abs().sum().item<double>(), 0.0);
}

TEST(AgentNet, ModelStepMatchesAnExplicitHaikuLstm) {
  // Recompute z with the LSTM written out literally (concatenate the one-hot
  // action and h, one linear map, gates i, g, f, o with +1 on f).
  AgentNetSettings s;
  s.dense = {6};
  s.lstm_size = 4;
  s.model_head_hiddens = {5};
  const int a = 3;
  AgentNet net(s, {2, 2}, a, {{"logits", {a}}}, {{"z", {7}}});
  const auto p = net.init(3);
  const auto obs = torch::rand({2, 2, 2});
  const auto z = net.forward(p, obs).at("z");  // [2, A, 7]
  const auto emb = torch::matmul(obs.reshape({2, 4}), p.at("mlp/~_embedding_pass/torso/~/linear_0/w")) +
                   p.at("mlp/~_embedding_pass/torso/~/linear_0/b");
  const auto cell = torch::matmul(emb, p.at("mlp/linear/w")) + p.at("mlp/linear/b");
  const auto hidden = torch::tanh(cell);
  for (int n = 0; n < 2; ++n) {
    for (int act = 0; act < a; ++act) {
      auto x = torch::zeros({1, a});
      x[0][act] = 1;
      const auto xh = torch::cat({x, hidden.slice(0, n, n + 1)}, 1);
      const auto g = torch::matmul(xh, p.at("mlp/action_cond/linear/w")) +
                     p.at("mlp/action_cond/linear/b");
      const auto i = g.slice(1, 0, 4), gg = g.slice(1, 4, 8), f = g.slice(1, 8, 12),
                 o = g.slice(1, 12, 16);
      const auto c = torch::sigmoid(f + 1) * cell.slice(0, n, n + 1) +
                     torch::sigmoid(i) * torch::tanh(gg);
      const auto h = torch::sigmoid(o) * torch::tanh(c);
      const auto mid = torch::relu(torch::matmul(h, p.at("mlp/mlp/~/linear_0/w")) +
                                   p.at("mlp/mlp/~/linear_0/b"));
      const auto expected =
          torch::matmul(mid, p.at("mlp/mlp/~/linear_1/w")) + p.at("mlp/mlp/~/linear_1/b");
      EXPECT_TRUE(torch::allclose(z[n][act], expected[0], 1e-5, 1e-6)) << n << "," << act;
    }
  }
}

// Training's unroll: the same values, and the gradient of a loss that reads
// the model heads at the taken actions (its taken_head outputs) equals the
// full unroll's reading them out of every action's; every action's outputs
// are constants there.
TEST(AgentNet, TakenActionGradientsMatchTheFullUnroll) {
  AgentNet net({}, {5, 5}, 3, disco_flat(3), disco_model(3));
  ParamMap params;
  for (const auto& [name, t] : net.init(3)) params[name] = t.to(torch::kFloat64);
  torch::manual_seed(0);
  const auto obs = torch::rand({4, 6, 5, 5}, torch::kFloat64);
  const auto actions = torch::randint(0, 3, {4, 6}, torch::kLong);
  const auto weights = torch::randn({4, 6, 3}, torch::kFloat64);
  const auto loss_and_grads = [&](bool taken_only, bool read_other) {
    ParamMap leaves;
    std::vector<torch::Tensor> list;
    for (const auto& [name, t] : params) list.push_back(leaves[name] = t.clone().requires_grad_(true));
    const auto out = taken_only ? net.unroll_taken_gradients(leaves, obs, actions)
                                : net.unroll(leaves, obs);
    const auto at = [&](const char* head, const torch::Tensor& a) {
      const auto x = out.at(head);
      return x.gather(2, a.view({4, 6, 1, 1}).expand({4, 6, 1, x.size(-1)})).squeeze(2);
    };
    auto loss = (out.at("logits") * weights).sum() + out.at("y").square().sum();
    for (const char* head : {"z", "aux_pi", "q"}) {
      const auto taken_rows = taken_only ? out.at(taken_head(head)) : at(head, actions);
      loss = loss + taken_rows.tanh().sum();
    }
    if (read_other) loss = loss + at("q", (actions + 1) % 3).sum();
    return std::make_pair(out, torch::autograd::grad({loss}, list, {}, false, false, true));
  };
  const auto [full_out, full] = loss_and_grads(false, false);
  const auto [taken_out, taken] = loss_and_grads(true, false);
  for (const auto& [head, x] : full_out) {
    EXPECT_TRUE(torch::allclose(x, taken_out.at(head), 1e-12, 1e-12)) << head;
  }
  // The taken actions' outputs, also returned as they are.
  for (const char* head : {"z", "aux_pi", "q"}) {
    const auto x = full_out.at(head);
    const auto taken_rows =
        x.gather(2, actions.view({4, 6, 1, 1}).expand({4, 6, 1, x.size(-1)})).squeeze(2);
    ASSERT_TRUE(taken_out.count(taken_head(head))) << head;
    EXPECT_TRUE(torch::allclose(taken_out.at(taken_head(head)), taken_rows, 1e-12, 1e-12)) << head;
  }
  EXPECT_FALSE(full_out.count(taken_head("q")));
  for (const char* head : {"z", "aux_pi", "q"}) {
    EXPECT_TRUE(full_out.at(head).requires_grad()) << head;
    EXPECT_FALSE(taken_out.at(head).requires_grad()) << head;
  }
  for (size_t i = 0; i < full.size(); ++i) {
    ASSERT_TRUE(taken[i].defined()) << i;
    EXPECT_TRUE(torch::allclose(full[i], taken[i], 1e-10, 1e-12)) << i;
  }
  // Reading q at other actions adds nothing to the gradient of this unroll,
  // though it does to the full one's.
  const auto [o1, full_other] = loss_and_grads(false, true);
  const auto [o2, taken_other] = loss_and_grads(true, true);
  bool full_moved = false;
  for (size_t i = 0; i < full.size(); ++i) {
    full_moved = full_moved || !torch::allclose(full[i], full_other[i], 1e-10, 1e-12);
    EXPECT_TRUE(torch::allclose(taken[i], taken_other[i], 1e-10, 1e-12)) << i;
  }
  EXPECT_TRUE(full_moved);
  EXPECT_THROW(net.unroll_taken_gradients(params, obs, actions.slice(0, 1)), std::invalid_argument);
}

// unroll_into writes each output that records no graph into the rows given
// (here time steps [2, 6) of a larger tensor) and returns views of them;
// outputs with a graph come back as their own tensors.
TEST(AgentNet, UnrollIntoWritesOutputsWithoutAGraphInPlace) {
  AgentNet net({}, {5, 5}, 3, disco_flat(3), disco_model(3));
  const auto params = net.init(4);
  torch::manual_seed(1);
  const auto obs = torch::rand({4, 6, 5, 5});
  const auto actions = torch::randint(0, 3, {4, 6}, torch::kLong);
  const auto make_into = [&](bool taken, AgentOuts& whole) {
    AgentOuts into;
    for (const auto& [head, shape] : net.output_shapes(taken)) {
      std::vector<int64_t> sizes = {7, 6};
      sizes.insert(sizes.end(), shape.begin(), shape.end());
      whole[head] = torch::full(sizes, std::nan(""));
      into[head] = whole[head].narrow(0, 2, 4);
    }
    return into;
  };
  {
    torch::NoGradGuard no_grad;
    AgentOuts whole;
    const auto out = net.unroll_into(params, obs, {}, make_into(false, whole));
    const auto expected = net.unroll(params, obs);
    ASSERT_EQ(out.size(), expected.size());
    for (const auto& [head, x] : expected) {
      EXPECT_EQ(out.at(head).data_ptr(), whole.at(head).narrow(0, 2, 4).data_ptr()) << head;
      EXPECT_TRUE(torch::allclose(out.at(head), x, 1e-6, 1e-6)) << head;
      EXPECT_TRUE(whole.at(head).narrow(0, 0, 2).isnan().all().item<bool>()) << head;
      EXPECT_TRUE(whole.at(head).narrow(0, 6, 1).isnan().all().item<bool>()) << head;
    }
  }
  ParamMap leaves;
  for (const auto& [name, t] : params) leaves[name] = t.detach().requires_grad_(true);
  AgentOuts whole;
  const auto out = net.unroll_into(leaves, obs, actions, make_into(true, whole));
  const auto expected = net.unroll_taken_gradients(leaves, obs, actions);
  ASSERT_EQ(out.size(), expected.size());
  for (const auto& [head, x] : expected) {
    const bool in_place = out.at(head).data_ptr() == whole.at(head).narrow(0, 2, 4).data_ptr();
    EXPECT_EQ(in_place, !x.requires_grad()) << head;
    EXPECT_EQ(out.at(head).requires_grad(), x.requires_grad()) << head;
    EXPECT_TRUE(torch::allclose(out.at(head), x, 1e-6, 1e-6)) << head;
  }
  EXPECT_TRUE(out.at("y").requires_grad());
  EXPECT_FALSE(out.at("q").requires_grad());
  AgentOuts wrong = {{"q", torch::zeros({4, 6, 3, 7})}};
  EXPECT_THROW(net.unroll_into(params, obs, {}, wrong), std::invalid_argument);
  AgentOuts unknown = {{"v", torch::zeros({4, 6, 1})}};
  EXPECT_THROW(net.unroll_into(params, obs, {}, unknown), std::invalid_argument);
}

// Without a graph every action's LSTM step runs as core/simd_rows' fused
// kernel where the CPU has it: the same outputs as LibTorch's cell.
TEST(AgentNet, EveryActionStepWithoutAGraphMatchesTheLibTorchCell) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  AgentNet net({}, {5, 5}, 3, disco_flat(3), disco_model(3));
  const auto params = net.init(5);
  const auto obs = torch::rand({4, 6, 5, 5});
  torch::NoGradGuard no_grad;
  const auto fused = net.unroll(params, obs);
  simd::set_enabled(false);
  const auto plain = net.unroll(params, obs);
  simd::set_enabled(true);
  for (const auto& [head, x] : plain) {
    const double scale = 1 + x.abs().max().item<double>();
    EXPECT_LE((fused.at(head) - x).abs().max().item<double>(), 1e-5 * scale) << head;
  }
  EXPECT_FALSE(torch::equal(fused.at("q"), plain.at("q")));  // the kernel did run
}

TEST(AgentNet, ConvTorsoOnGridObservations) {
  AgentNetSettings s;
  s.torso = "conv";
  s.dense = {32};
  AgentNet net(s, {10, 10, 4}, 6, {{"logits", {6}}, {"v", {1}}}, {});
  const auto p = net.init(0);
  EXPECT_EQ(p.at("mlp/~_embedding_pass/conv_torso/~/conv2_d/w").sizes(), (std::vector<int64_t>{3, 3, 4, 16}));
  EXPECT_EQ(p.at("mlp/~_embedding_pass/torso/~/linear_0/w").sizes(), (std::vector<int64_t>{1600, 32}));
  const auto out = net.unroll(p, torch::rand({3, 2, 10, 10, 4}));
  EXPECT_EQ(out.at("logits").sizes(), (std::vector<int64_t>{3, 2, 6}));
  EXPECT_EQ(out.at("v").sizes(), (std::vector<int64_t>{3, 2, 1}));
}

TEST(AgentNet, BadSettingsThrow) {
  AgentNetSettings s;
  s.torso = "transformer";
  EXPECT_THROW(AgentNet(s, {5, 5}, 3, {}, {}), std::invalid_argument);
  s.torso = "conv";
  EXPECT_THROW(AgentNet(s, {5, 5}, 3, {}, {}), std::invalid_argument);  // not [H, W, C]
  s = {};
  s.dense = {};
  EXPECT_THROW(AgentNet(s, {5, 5}, 3, {}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace disco
