#include "rl/vtrace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "rl/distributions.h"
#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;
using testing::values_of;

// T = 2, B = 1 by hand: v_tm1 = [1, 2], v_t = [2, 3], r = [1, 0],
// γ = [0.5, 0.5], ρ = [2, 0.5], λ = 1, clip thresholds 1:
//   c = [1, 0.5], ρ̄ = [1, 0.5], δ = [1·(1 + 1 - 1), 0.5·(0 + 1.5 - 2)] = [1, -0.25]
//   errors = [1 + 0.5·1·(-0.25), -0.25] = [0.875, -0.25]; targets = [1.875, 1.75]
//   q_estimate = [1 + 0.5·1.75, 0 + 0.5·3] = [1.875, 1.5]
//   pg_advantage = [1·(1.875 - 1), 0.5·(1.5 - 2)] = [0.875, -0.25]
struct HandCase {
  torch::Tensor v_tm1 = tensor({1.0, 2.0}, {2, 1});
  torch::Tensor v_t = tensor({2.0, 3.0}, {2, 1});
  torch::Tensor r_t = tensor({1.0, 0.0}, {2, 1});
  torch::Tensor discount_t = tensor({0.5, 0.5}, {2, 1});
  torch::Tensor rho_tm1 = tensor({2.0, 0.5}, {2, 1});
};

TEST(VTrace, HandComputedTwoSteps) {
  HandCase c;
  const VTraceOutput out =
      vtrace_td_error_and_advantage(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1);
  expect_near(out.errors, {0.875, -0.25});
  expect_near(out.q_estimate, {1.875, 1.5});
  expect_near(out.pg_advantage, {0.875, -0.25});
}

TEST(VTrace, EpisodeBoundaryCutsTheTrace) {
  HandCase c;
  c.discount_t = tensor({0.0, 0.5}, {2, 1});
  // δ_0 = 1 + 0 - 1 = 0 and nothing flows back from step 1.
  const VTraceOutput out =
      vtrace_td_error_and_advantage(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1);
  expect_near(out.errors, {0.0, -0.25});
  expect_near(out.q_estimate, {1.0, 1.5});
}

TEST(VTrace, ClipThresholdsAndLambda) {
  HandCase c;
  // clip_rho 1.5: ρ̄ = [1.5, 0.5]; λ = 0.5: c = [0.5, 0.25]; clip_pg 2: ρ̄_pg = [2, 0.5].
  //   δ = [1.5·1, -0.25]; errors = [1.5 + 0.5·0.5·(-0.25), -0.25] = [1.4375, -0.25]
  //   targets = [2.4375, 1.75]; q_bootstrap_0 = 0.5·1.75 + 0.5·v_tm1[1] = 1.875
  //   q_estimate = [1 + 0.5·1.875, 1.5] = [1.9375, 1.5]; pg = [2·0.9375, -0.25]
  const VTraceOutput out =
      vtrace_td_error_and_advantage(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1, /*lambda=*/0.5,
                                    /*clip_rho_threshold=*/1.5, /*clip_pg_rho_threshold=*/2.0);
  expect_near(out.errors, {1.4375, -0.25});
  expect_near(out.q_estimate, {1.9375, 1.5});
  expect_near(out.pg_advantage, {1.875, -0.25});
}

// IMPALA's explicit sum (Espeholt et al. 2018, eq. 1), written independently
// of the library's backward recursion, with per-step discounts:
// v_s = V(x_s) + Σ_{t≥s} (Π_{i=s}^{t-1} γ_i c_i) ρ̄_t δ_t.
std::vector<double> impala_vs(const std::vector<double>& v, double bootstrap,
                              const std::vector<double>& r, const std::vector<double>& g,
                              const std::vector<double>& rho, double lambda, double clip_rho) {
  const size_t T = v.size();
  std::vector<double> vs(T);
  for (size_t s = 0; s < T; ++s) {
    double sum = 0.0, trace = 1.0;
    for (size_t t = s; t < T; ++t) {
      const double v_next = t + 1 < T ? v[t + 1] : bootstrap;
      sum += trace * std::min(clip_rho, rho[t]) * (r[t] + g[t] * v_next - v[t]);
      trace *= g[t] * lambda * std::min(1.0, rho[t]);
    }
    vs[s] = v[s] + sum;
  }
  return vs;
}

TEST(VTrace, MatchesImpalaExplicitSumWithBoundariesAndClipping) {
  // T = 5, B = 2; batch 0 ends an episode at t = 2; ρ above and below the clips.
  const int64_t T = 5, B = 2;
  const std::vector<std::vector<double>> v = {{0.5, -1.0, 2.0, 0.3, 1.1},
                                              {3.0, 2.5, -0.5, 0.0, 1.0}};
  const std::vector<double> bootstrap = {0.7, -2.0};
  const std::vector<std::vector<double>> r = {{1.0, 0.0, -1.0, 0.5, 0.2},
                                              {0.0, 0.3, 1.0, -0.7, 2.0}};
  const std::vector<std::vector<double>> g = {{0.9, 0.9, 0.0, 0.9, 0.9},
                                              {0.99, 0.99, 0.99, 0.99, 0.0}};
  const std::vector<std::vector<double>> rho = {{1.7, 0.3, 2.5, 0.9, 1.0},
                                                {0.6, 3.0, 1.1, 0.2, 1.4}};
  const double lambda = 0.9, clip_rho = 1.2, clip_pg = 0.8;

  // Time-major tensors.
  auto time_major = [&](const std::vector<std::vector<double>>& x) {
    std::vector<double> flat;
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < B; ++b) flat.push_back(x[b][t]);
    return tensor(flat, {T, B});
  };
  std::vector<std::vector<double>> v_next = v;
  for (int64_t b = 0; b < B; ++b) {
    v_next[b].erase(v_next[b].begin());
    v_next[b].push_back(bootstrap[b]);
  }
  const VTraceOutput out =
      vtrace_td_error_and_advantage(time_major(v), time_major(v_next), time_major(r), time_major(g),
                                    time_major(rho), lambda, clip_rho, clip_pg);

  std::vector<double> expected_errors(T * B), expected_pg(T * B);
  for (int64_t b = 0; b < B; ++b) {
    const std::vector<double> vs =
        impala_vs(v[b], bootstrap[b], r[b], g[b], rho[b], lambda, clip_rho);
    for (int64_t t = 0; t < T; ++t) {
      expected_errors[t * B + b] = vs[t] - v[b][t];
      // IMPALA's policy-gradient target r_s + γ_s·v_{s+1}, with rlax's λ-mix.
      const double next =
          t + 1 < T ? lambda * vs[t + 1] + (1 - lambda) * v[b][t + 1] : bootstrap[b];
      expected_pg[t * B + b] = std::min(clip_pg, rho[b][t]) * (r[b][t] + g[b][t] * next - v[b][t]);
    }
  }
  expect_near(out.errors, expected_errors, 1e-12);
  expect_near(out.pg_advantage, expected_pg, 1e-12);
}

TEST(VTrace, MatchesRlaxTestNumbers) {
  // rlax/_src/vtrace_test.py (B = 2, T = 4 there; transposed to time-major).
  const torch::Tensor mu_logits = tensor({8.9, 0.7, 5.0, 1.0, 0.6, 0.1, -0.9, -0.1,  //
                                          0.3, -5.0, 1.0, -8.0, 0.3, 1.7, 4.7, 3.3},
                                         {2, 4, 2})
                                      .transpose(0, 1);
  const torch::Tensor pi_logits = tensor({0.4, 0.5, 9.2, 8.8, 0.7, 4.4, 7.9, 1.4,  //
                                          1.0, 0.9, 1.0, -1.0, -4.3, 8.7, 0.8, 0.3},
                                         {2, 4, 2})
                                      .transpose(0, 1);
  const torch::Tensor actions =
      torch::tensor({0, 1, 0, 0, 1, 0, 0, 1}, torch::kLong).reshape({2, 4}).t();
  const torch::Tensor r = tensor({-1.3, -1.3, 2.3, 42.0, 1.3, 5.3, -3.3, -5.0}, {2, 4}).t();
  const torch::Tensor g = tensor({0.0, 0.89, 0.85, 0.99, 0.88, 1.0, 0.83, 0.95}, {2, 4}).t();
  const torch::Tensor v = tensor({2.1, 1.1, -3.1, 0.0, 3.1, 0.1, -1.1, 7.4}, {2, 4}).t();
  const torch::Tensor bootstrap = tensor({8.4, -1.2}, {1, 2});
  const torch::Tensor v_t = torch::cat({v.slice(0, 1), bootstrap});
  const torch::Tensor rho = importance_weight(pi_logits, mu_logits, actions);

  const VTraceOutput out = vtrace_td_error_and_advantage(v, v_t, r, g, rho);
  expect_near(out.errors.t(),
              {-1.6155143, -3.4973226, 1.8670533, 5.0316002e1,  //
               1.4662437, 3.6116405, -8.3327293e-5, -1.3540000e1},
              1e-6, 1e-3);
  expect_near(out.pg_advantage.t(),
              {-1.6155143, -3.4973226, 1.8670534, 5.0316002e1,  //
               1.4662433, 3.6116405, -8.3369283e-05, -1.3540000e+1},
              1e-6, 1e-3);
}

TEST(VTrace, StopTargetGradientsLeavesOnlyMinusOneOnVtm1) {
  HandCase c;
  for (torch::Tensor* x : {&c.v_tm1, &c.v_t, &c.r_t, &c.rho_tm1}) x->requires_grad_(true);
  vtrace(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1).sum().backward();
  expect_near(c.v_tm1.grad(), {-1.0, -1.0});
  for (torch::Tensor* x : {&c.v_t, &c.r_t, &c.rho_tm1}) {
    EXPECT_TRUE(!x->grad().defined() || x->grad().abs().sum().item<double>() == 0.0);
  }
}

TEST(VTrace, WithoutStopGradientsTargetsAreDifferentiated) {
  HandCase c;
  c.v_t.requires_grad_(true);
  vtrace(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1, 1.0, 1.0,
         /*stop_target_gradients=*/false)
      .sum()
      .backward();
  // errors_0 + errors_1 = δ_0 + (1 + γ_0 c_0)·δ_1; dδ_0/dv_t0 = ρ̄_0 γ_0 = 0.5,
  // dδ_1/dv_t1 = ρ̄_1 γ_1 = 0.25, times 1.5.
  expect_near(c.v_t.grad(), {0.5, 0.375});
}

TEST(VTrace, PgAdvantageKeepsGradientsAsRlax) {
  // rlax stops gradients only in the errors: pg_advantage still depends on
  // v_tm1 (-ρ̄_pg) and on the last v_t (ρ̄_pg·γ); the policy loss must stop it.
  HandCase c;
  c.v_t.requires_grad_(true);
  const VTraceOutput out =
      vtrace_td_error_and_advantage(c.v_tm1, c.v_t, c.r_t, c.discount_t, c.rho_tm1);
  out.pg_advantage.sum().backward();
  expect_near(c.v_t.grad(), {0.0, 0.5 * 0.5});
}

TEST(VTrace, RejectsMismatchedShapes) {
  HandCase c;
  EXPECT_THROW(vtrace(c.v_tm1, c.v_t, c.r_t, c.discount_t, tensor({1.0}, {1, 1})), c10::Error);
}

}  // namespace
}  // namespace disco::rl
