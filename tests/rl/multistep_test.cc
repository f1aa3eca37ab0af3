#include "rl/multistep.h"

#include <gtest/gtest.h>

#include <vector>

#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

// rlax/_src/multistep_test.py data (batch-major [2, 5] there, transposed here).
torch::Tensor rlax_r() {
  return tensor({1.0, 0.0, -1.0, 0.0, 1.0, 0.5, 0.8, -0.7, 0.0, 2.1}, {2, 5}).t();
}
torch::Tensor rlax_discount() {
  return tensor({0.5, 0.9, 1.0, 0.5, 0.8, 0.9, 0.5, 0.3, 0.8, 0.7}, {2, 5}).t();
}
torch::Tensor rlax_v() {
  return tensor({3.0, 1.0, 5.0, -5.0, 3.0, -1.7, 1.2, 2.3, 2.2, 2.7}, {2, 5}).t();
}

TEST(LambdaReturns, MatchesRlaxTestNumbers) {
  expect_near(lambda_returns(rlax_r(), rlax_discount(), rlax_v(), 0.75).t(),
              {1.6460547, 0.72281253, 0.7375001, 0.6500001, 3.4,  //
               0.7866317, 0.9913063, 0.1101501, 2.834, 3.99},
              1e-6, 1e-5);
}

TEST(LambdaReturns, HandComputedWithEpisodeEnd) {
  // T = 3: r = [1, 2, 3], γ = [0.5, 0, 0.5], v = [10, 20, 30], λ = 0.5:
  // G2 = 3 + 0.5·30 = 18; G1 = 2 + 0 = 2; G0 = 1 + 0.5·(0.5·10 + 0.5·2) = 4.
  const torch::Tensor r = tensor({1.0, 2.0, 3.0}, {3, 1});
  const torch::Tensor g = tensor({0.5, 0.0, 0.5}, {3, 1});
  const torch::Tensor v = tensor({10.0, 20.0, 30.0}, {3, 1});
  expect_near(lambda_returns(r, g, v, 0.5), {4.0, 2.0, 18.0});
  // A per-step λ tensor: λ = [0.5, 1, 1] gives the same (λ_1 is multiplied by γ_1 = 0).
  expect_near(lambda_returns(r, g, v, tensor({0.5, 1.0, 1.0}, {3, 1})), {4.0, 2.0, 18.0});
  // λ = 1 at step 0: G0 = 1 + 0.5·2 = 2.
  expect_near(lambda_returns(r, g, v, tensor({1.0, 1.0, 1.0}, {3, 1})), {2.0, 2.0, 18.0});
}

TEST(LambdaReturns, StopTargetGradients) {
  const torch::Tensor v = rlax_v().requires_grad_(true);
  EXPECT_TRUE(lambda_returns(rlax_r(), rlax_discount(), v, 0.75).requires_grad());
  EXPECT_FALSE(lambda_returns(rlax_r(), rlax_discount(), v, 0.75, true).requires_grad());
}

TEST(DiscountedReturns, MatchesRlaxTestNumbersWithScalarOrVectorBootstrap) {
  const std::vector<double> expected = {1.315,   0.63000005, 0.70000005, 1.7,   3.4,  //
                                        1.33592, 0.9288,     0.2576,     3.192, 3.9899998};
  expect_near(discounted_returns(rlax_r(), rlax_discount(), rlax_v()).t(), expected, 1e-6, 1e-5);
  // One bootstrap value per sequence [B].
  const torch::Tensor bootstrap = rlax_v()[4];
  expect_near(discounted_returns(rlax_r(), rlax_discount(), bootstrap).t(), expected, 1e-6, 1e-5);
}

TEST(TruncatedGae, MatchesRlaxTestNumbers) {
  // rlax/_src/multistep_test.py; batch 1 has an episode end (γ = 0) at t = 3.
  const torch::Tensor r = tensor({0., 0., 1., 0., -0.5, 0., 0., 0., 0., 1.}, {2, 5}).t();
  const torch::Tensor v =
      tensor({1., 4., -3., -2., -1., -1., -3., -2., -1., 0.0, 5., -1.}, {2, 6}).t();
  const torch::Tensor g =
      tensor({0.99, 0.99, 0.99, 0.99, 0.99, 0.9, 0.9, 0.9, 0.0, 0.9}, {2, 5}).t();
  expect_near(truncated_generalized_advantage_estimation(r, g, 1.0, v).t(),
              {-1.45118, -4.4557, 2.5396, 0.5249, -0.49, 3., 2., 1., 0., -4.9}, 1e-3);
  expect_near(truncated_generalized_advantage_estimation(r, g, 0.7, v).t(),
              {-0.676979, -5.248167, 2.4846, 0.6704, -0.49, 2.2899, 1.73, 1., 0., -4.9}, 1e-3);
  expect_near(truncated_generalized_advantage_estimation(r, g, 0.4, v).t(),
              {0.56731, -6.042, 2.3431, 0.815, -0.49, 1.725, 1.46, 1., 0., -4.9}, 1e-3);
}

TEST(TruncatedGae, EqualsLambdaReturnMinusValue) {
  // Â_t = G^λ_t - v_t with G^λ from the next values (Schulman et al. 2016).
  const torch::Tensor r = rlax_r(), g = rlax_discount();
  const torch::Tensor values = torch::cat({tensor({0.4, -0.3}, {1, 2}), rlax_v()});
  expect_near(truncated_generalized_advantage_estimation(r, g, 0.8, values),
              lambda_returns(r, g, values.slice(0, 1), 0.8) - values.slice(0, 0, 5), 1e-12);
}

TEST(TruncatedGae, ShapeChecks) {
  EXPECT_THROW(truncated_generalized_advantage_estimation(rlax_r(), rlax_discount(), 0.9, rlax_v()),
               c10::Error);
}

// Retrace in the rollout convention, T = 3, B = 1, by hand:
//   q_a = [1, 2, 3] (Q'(s_t, a_t)), v = [0.5, 1, 1.5, 2], r = [1, -1, 0.5],
//   γ = [0.9, 0.9, 0.9], c = [0.3, 0.5, 0.8]:
//   qt2 = 0.5 + 0.9·2 = 2.3
//   qt1 = -1 + 0.9·(1.5 - 0.8·3 + 0.8·2.3) = -0.154
//   qt0 = 1 + 0.9·(1 - 0.5·2 + 0.5·(-0.154)) = 0.9307
// (c[t+1] and q_a[t+1] enter the target of step t; q_a[0] and c[0] never do.)
struct RetraceCase {
  torch::Tensor q_a = tensor({1.0, 2.0, 3.0}, {3, 1});
  torch::Tensor v = tensor({0.5, 1.0, 1.5, 2.0}, {4, 1});
  torch::Tensor r = tensor({1.0, -1.0, 0.5}, {3, 1});
  torch::Tensor g = tensor({0.9, 0.9, 0.9}, {3, 1});
  torch::Tensor c = tensor({0.3, 0.5, 0.8}, {3, 1});
};

TEST(Retrace, HandComputedTargets) {
  RetraceCase k;
  expect_near(retrace_q_targets(k.q_a, k.v, k.r, k.g, k.c), {0.9307, -0.154, 2.3}, 1e-12);
}

TEST(Retrace, FirstStepQAndTraceDoNotEnter) {
  RetraceCase k;
  k.q_a[0][0] = 100.0;
  k.c[0][0] = 7.0;
  expect_near(retrace_q_targets(k.q_a, k.v, k.r, k.g, k.c), {0.9307, -0.154, 2.3}, 1e-12);
}

TEST(Retrace, EpisodeEndCutsBootstrap) {
  RetraceCase k;
  k.g = tensor({0.9, 0.0, 0.9}, {3, 1});
  // qt1 = r1 = -1; qt0 = 1 + 0.9·(1 - 0.5·2 + 0.5·(-1)) = 0.55.
  expect_near(retrace_q_targets(k.q_a, k.v, k.r, k.g, k.c), {0.55, -1.0, 2.3}, 1e-12);
}

TEST(Retrace, RlaxFormWithTheReferencesDummyFirstStep) {
  // value_utils.estimate_q_values: prepend r = 0, γ = 0, pass q_t = Q'(s_t, a_t)
  // [T], v_t = V' [T+1], c_t [T], then drop the first return.
  RetraceCase k;
  const torch::Tensor zero = torch::zeros({1, 1}, torch::kFloat64);
  const torch::Tensor returns = general_off_policy_returns_from_q_and_v(
      k.q_a, k.v, torch::cat({zero, k.r}), torch::cat({zero, k.g}), k.c);
  ASSERT_EQ(returns.size(0), 4);
  expect_near(returns.slice(0, 1), {0.9307, -0.154, 2.3}, 1e-12);
  expect_near(returns[0], {0.0}, 1e-12);  // the dummy step: 0 + 0·(...)
}

TEST(Retrace, RlaxConventionDirectly) {
  // K = 3 states: q_t, c_t [2], v_t, r_t, discount_t [3]:
  //   G2 = r2 + γ2·v2 = 1 + 0.5·4 = 3
  //   G1 = r1 + γ1·(v1 - c1·q1 + c1·G2) = 0 + 1·(3 - 0.5·6 + 0.5·3) = 1.5
  //   G0 = r0 + γ0·(v0 - c0·q0 + c0·G1) = 2 + 0.5·(1 - 1·2 + 1·1.5) = 2.25
  const torch::Tensor q_t = tensor({2.0, 6.0}, {2});
  const torch::Tensor c_t = tensor({1.0, 0.5}, {2});
  const torch::Tensor v_t = tensor({1.0, 3.0, 4.0}, {3});
  const torch::Tensor r_t = tensor({2.0, 0.0, 1.0}, {3});
  const torch::Tensor g_t = tensor({0.5, 1.0, 0.5}, {3});
  expect_near(general_off_policy_returns_from_q_and_v(q_t, v_t, r_t, g_t, c_t), {2.25, 1.5, 3.0});
  // With c = 1 everywhere and V = Q the recursion is the discounted return.
  const torch::Tensor ones = torch::ones({2}, torch::kFloat64);
  expect_near(general_off_policy_returns_from_q_and_v(v_t.slice(0, 0, 2), v_t, r_t, g_t, ones),
              {2.0 + 0.5 * (0.0 + 1.0 * (1.0 + 0.5 * 4.0)), 0.0 + 1.0 * (1.0 + 0.5 * 4.0), 3.0});
}

TEST(Retrace, GradientsStoppedByDefaultAndOtherwiseFlow) {
  RetraceCase k;
  k.v.requires_grad_(true);
  EXPECT_FALSE(retrace_q_targets(k.q_a, k.v, k.r, k.g, k.c).requires_grad());
  retrace_q_targets(k.q_a, k.v, k.r, k.g, k.c, /*stop_target_gradients=*/false)[0].sum().backward();
  // qt0 = r0 + γ0·(v1 - c1 q1 + c1(r1 + γ1(v2 - c2 q2 + c2(r2 + γ2 v3)))).
  expect_near(k.v.grad(), {0.0, 0.9, 0.9 * 0.5 * 0.9, 0.9 * 0.5 * 0.9 * 0.8 * 0.9}, 1e-12);
}

TEST(Retrace, ShapeChecks) {
  RetraceCase k;
  // v must have T+1 steps.
  EXPECT_THROW(retrace_q_targets(k.q_a, k.v.slice(0, 1), k.r, k.g, k.c), c10::Error);
  // rlax form: q_t and c_t have K-1 steps.
  EXPECT_THROW(general_off_policy_returns_from_q_and_v(k.q_a, k.v.slice(0, 1), k.r, k.g, k.c),
               c10::Error);
}

}  // namespace
}  // namespace disco::rl
