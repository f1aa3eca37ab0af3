#include "optim/inner_adam.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/simd_rows.h"

namespace disco {
namespace {

TEST(InnerAdam, TwoHandComputedSteps) {
  // p = 1, lr = 0.1, gradients 0.5 then -0.2:
  // step 1: mu = 0.05, nu = 2.5e-4, mu_hat = 0.5, nu_hat = 0.25,
  //         u = 0.5 / (0.5 + 1e-8), p = 1 - 0.1 u = 0.900000002
  // step 2: mu = 0.025, nu = 2.8975e-4, mu_hat = 0.025 / 0.19,
  //         nu_hat = 2.8975e-4 / 0.001999, u = 0.34560584, p = 0.86543942
  InnerAdam adam({/*learning_rate=*/0.1});
  ParamMap p = {{"w", torch::tensor({1.0}, torch::kFloat64)}};
  auto state = adam.init(p);
  p = adam.step(p, {{"w", torch::tensor({0.5}, torch::kFloat64)}}, state);
  EXPECT_NEAR(p["w"].item<double>(), 0.900000002, 1e-12);
  p = adam.step(p, {{"w", torch::tensor({-0.2}, torch::kFloat64)}}, state);
  EXPECT_NEAR(p["w"].item<double>(), 0.8654394181165108, 1e-12);
  EXPECT_EQ(state.count, 2);
  EXPECT_NEAR(state.mu["w"].item<double>(), 0.025, 1e-15);
  EXPECT_NEAR(state.nu["w"].item<double>(), 2.8975e-4, 1e-15);
}

TEST(InnerAdam, UpdatesAreClippedToMaxAbsUpdate) {
  // The first Adam step is +-1 per entry; a clip of 0.25 caps it.
  InnerAdamSettings s;
  s.learning_rate = 1.0;
  s.max_abs_update = 0.25;
  InnerAdam adam(s);
  ParamMap p = {{"w", torch::zeros({3}, torch::kFloat64)}};
  auto state = adam.init(p);
  p = adam.step(p, {{"w", torch::tensor({2.0, -3.0, 1e-3}, torch::kFloat64)}}, state);
  EXPECT_NEAR(p["w"][0].item<double>(), -0.25, 1e-12);
  EXPECT_NEAR(p["w"][1].item<double>(), 0.25, 1e-12);
  EXPECT_NEAR(p["w"][2].item<double>(), -0.25, 1e-12);
}

TEST(InnerAdam, DenominatorCarriesNoGradient) {
  // Step 1: p' = p - lr g / (|g| + eps) with |g| held constant, so
  // dp'/dg = -lr / (|g| + eps) = -0.2 for g = 0.5, lr = 0.1 (it would be ~0
  // if the denominator were differentiated too).
  InnerAdam adam({/*learning_rate=*/0.1});
  auto g = torch::tensor({0.5}, torch::dtype(torch::kFloat64).requires_grad(true));
  ParamMap p = {{"w", torch::tensor({1.0}, torch::kFloat64)}};
  auto state = adam.init(p);
  auto next = adam.step(p, {{"w", g}}, state);
  auto dg = torch::autograd::grad({next["w"].sum()}, {g})[0];
  EXPECT_NEAR(dg.item<double>(), -0.2, 1e-6);
}

TEST(InnerAdam, GlobalNormClipRescalesGradients) {
  // Gradients (3, 4) have norm 5; clipped to norm 1 they are (0.6, 0.8).
  // With b1 = b2 = 0 the update is g / |g| per entry regardless, so check
  // the first moment instead: mu = (1 - b1) * clipped g.
  InnerAdamSettings s;
  s.learning_rate = 1e-3;
  s.max_grad_norm = 1.0;
  InnerAdam adam(s);
  ParamMap p = {{"a", torch::zeros({1}, torch::kFloat64)}, {"b", torch::zeros({1}, torch::kFloat64)}};
  auto state = adam.init(p);
  adam.step(p, {{"a", torch::tensor({3.0}, torch::kFloat64)}, {"b", torch::tensor({4.0}, torch::kFloat64)}},
            state);
  EXPECT_NEAR(state.mu["a"].item<double>(), 0.1 * 0.6, 1e-12);
  EXPECT_NEAR(state.mu["b"].item<double>(), 0.1 * 0.8, 1e-12);
}

// Float32 steps without a graph run as one fused pass (core/simd_rows.h)
// where the CPU has the kernels; over several steps, with both clips active
// and split over threads, they agree with the tensor form to float rounding,
// and so do the norms the step reports.
TEST(InnerAdam, FusedStepMatchesTheTensorForm) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  InnerAdamSettings s;
  s.learning_rate = 0.05;
  s.max_abs_update = 0.8;  // binds on the first step (|u| = 1)
  s.max_grad_norm = 3.0;   // binds: the gradients' norm is about 60
  InnerAdam adam(s);
  torch::manual_seed(3);
  // Sizes with tails after the 8-wide vectors and the 1024-entry blocks.
  ParamMap start = {{"a", torch::randn({37, 5})}, {"b", torch::randn({1})}, {"c", torch::randn({3001})}};
  auto fused = start, plain = start;
  auto fused_state = adam.init(start), plain_state = adam.init(start);
  for (int step = 0; step < 3; ++step) {
    ParamMap grads;
    for (const auto& [name, p] : start) grads[name] = torch::randn_like(p);
    torch::NoGradGuard no_grad;
    ASSERT_TRUE(InnerAdam::fused(fused, grads, fused_state));
    InnerAdam::Norms fused_norms, plain_norms;
    fused = adam.step(fused, grads, fused_state, /*threads=*/3, &fused_norms);
    simd::set_enabled(false);
    EXPECT_FALSE(InnerAdam::fused(plain, grads, plain_state));
    plain = adam.step(plain, grads, plain_state, /*threads=*/1, &plain_norms);
    simd::set_enabled(true);
    for (const auto& [name, p] : plain) {
      EXPECT_TRUE(torch::allclose(fused.at(name), p, 1e-6, 1e-6)) << name << " step " << step;
      EXPECT_TRUE(torch::allclose(fused_state.mu.at(name), plain_state.mu.at(name), 1e-6, 1e-7)) << name;
      EXPECT_TRUE(torch::allclose(fused_state.nu.at(name), plain_state.nu.at(name), 1e-6, 1e-8)) << name;
    }
    EXPECT_NEAR(fused_norms.gradient.item<double>(), plain_norms.gradient.item<double>(),
                1e-5 * plain_norms.gradient.item<double>());
    EXPECT_NEAR(fused_norms.update.item<double>(), plain_norms.update.item<double>(),
                1e-5 * plain_norms.update.item<double>());
  }
  EXPECT_EQ(fused_state.count, 3);
  // Float64, or a graph to record, keeps the tensor form.
  ParamMap doubles = {{"w", torch::zeros({4}, torch::kFloat64)}};
  EXPECT_FALSE(InnerAdam::fused(doubles, {{"w", torch::ones({4}, torch::kFloat64)}}, adam.init(doubles)));
  ParamMap recorded = {{"w", torch::zeros({4}).requires_grad_(true)}};
  EXPECT_FALSE(InnerAdam::fused(recorded, {{"w", torch::ones({4})}}, adam.init(recorded)));
}

TEST(InnerAdam, MissingGradientThrows) {
  InnerAdam adam({});
  ParamMap p = {{"w", torch::zeros({1})}};
  auto state = adam.init(p);
  EXPECT_THROW(adam.step(p, {}, state), std::invalid_argument);
}

TEST(InnerAdam, BadSettingsThrow) {
  InnerAdamSettings s;
  s.learning_rate = 0;
  EXPECT_THROW(InnerAdam{s}, std::invalid_argument);
  s = {};
  s.b1 = 1.0;
  EXPECT_THROW(InnerAdam{s}, std::invalid_argument);
}

}  // namespace
}  // namespace disco
