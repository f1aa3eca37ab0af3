// Haiku LSTM cell and its reset unroll against hand-computed numbers.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "nets/haiku_init.h"
#include "nets/lstm_cell.h"

namespace disco {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// One input, one hidden unit: W rows [x; h], columns gates i, g, f, o.
ParamMap tiny_lstm() {
  return {{"core/linear/w", torch::tensor({{0.5f, -1.0f, 0.25f, 2.0f}, {1.5f, 0.5f, -0.5f, 1.0f}})},
          {"core/linear/b", torch::tensor({0.1f, 0.2f, -0.3f, 0.0f})}};
}

TEST(LstmCell, OneStepMatchesHaikuGateOrderAndForgetBias) {
  const auto x = torch::tensor({{2.0f}});
  const LstmState s{torch::tensor({{0.5f}}), torch::tensor({{-1.0f}})};
  const auto next = lstm_step(x, s, tiny_lstm(), "core");
  // gates = [x, h]·W + b
  const double gi = 2 * 0.5 + 0.5 * 1.5 + 0.1, gg = 2 * -1.0 + 0.5 * 0.5 + 0.2;
  const double gf = 2 * 0.25 + 0.5 * -0.5 - 0.3, go = 2 * 2.0 + 0.5 * 1.0;
  const double c = sigmoid(gf + 1.0) * -1.0 + sigmoid(gi) * std::tanh(gg);
  const double h = sigmoid(go) * std::tanh(c);
  EXPECT_NEAR(next.cell.item<float>(), c, 1e-6);
  EXPECT_NEAR(next.hidden.item<float>(), h, 1e-6);
}

TEST(LstmCell, ReverseUnrollResetsBeforeTerminalSteps) {
  const auto params = tiny_lstm();
  const auto xs = torch::tensor({1.0f, -2.0f, 0.5f}).reshape({3, 1, 1});
  const auto resets = torch::tensor({0.0f, 1.0f, 0.0f}).reshape({3, 1});
  const auto zero = lstm_zero_state({1}, 1, torch::kFloat32);
  const LstmState start{torch::full({1, 1}, 0.7f), torch::full({1, 1}, 0.3f)};
  const auto [out, final_state] = lstm_unroll(xs, resets, start, params, "core", /*reverse=*/true);
  // Step 2 from `start`, step 1 from zero (reset), step 0 continues from step 1.
  const auto s2 = lstm_step(xs[2], start, params, "core");
  const auto s1 = lstm_step(xs[1], zero, params, "core");
  const auto s0 = lstm_step(xs[0], s1, params, "core");
  EXPECT_TRUE(torch::allclose(out[2], s2.hidden));
  EXPECT_TRUE(torch::allclose(out[1], s1.hidden));
  EXPECT_TRUE(torch::allclose(out[0], s0.hidden));
  EXPECT_TRUE(torch::allclose(final_state.cell, s0.cell));
}

TEST(HaikuInit, TruncatedNormalIsBoundedSeededAndScaled) {
  Rng a(7), b(7);
  const auto x = truncated_normal({20000}, 0.5, a, torch::kFloat32);
  EXPECT_TRUE(torch::equal(x, truncated_normal({20000}, 0.5, b, torch::kFloat32)));
  EXPECT_LE(x.abs().max().item<float>(), 1.0f);  // 2 stddev
  // Std of a standard normal truncated to [-2, 2] is 0.8796.
  EXPECT_NEAR(x.std().item<float>(), 0.5 * 0.8796, 0.01);
  EXPECT_NEAR(x.mean().item<float>(), 0.0, 0.01);
}

TEST(HaikuInit, LinearDefaultsToOneOverSqrtFanInAndZeroBias) {
  Rng rng(1);
  ParamMap p;
  add_linear_params(p, "lin", 400, 50, rng, torch::kFloat32);
  EXPECT_EQ(p.at("lin/w").sizes(), (std::vector<int64_t>{400, 50}));
  EXPECT_TRUE(torch::equal(p.at("lin/b"), torch::zeros({50})));
  EXPECT_NEAR(p.at("lin/w").std().item<float>(), 0.05 * 0.8796, 0.002);
  const auto x = torch::ones({2, 400});
  EXPECT_TRUE(torch::allclose(linear(x, p, "lin"), x.matmul(p.at("lin/w"))));
}

}  // namespace
}  // namespace disco
