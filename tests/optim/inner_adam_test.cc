#include "optim/inner_adam.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

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
