#include "rl/policy_gradients.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

// T = 2, B = 1, A = 2: π_0 = [¼, ¾], π_1 = [½, ½]; actions [1, 0]; adv [2, -1].
struct PgCase {
  torch::Tensor logits = tensor({0.0, std::log(3.0), 0.0, 0.0}, {2, 1, 2});
  torch::Tensor actions = torch::tensor({1, 0}, torch::kLong).reshape({2, 1});
  torch::Tensor adv = tensor({2.0, -1.0}, {2, 1});
};

TEST(PolicyGradientLoss, PerStepHandValues) {
  PgCase c;
  expect_near(policy_gradient_loss_per_step(c.logits, c.actions, c.adv),
              {-std::log(0.75) * 2.0, std::log(0.5) * 1.0}, 1e-12);
}

TEST(PolicyGradientLoss, RlaxMeanWithWeights) {
  PgCase c;
  const torch::Tensor w = tensor({1.0, 0.0}, {2, 1});
  expect_near(policy_gradient_loss(c.logits, c.actions, c.adv, w), {-std::log(0.75) * 2.0 / 2.0},
              1e-12);
}

TEST(PolicyGradientLoss, GradientIsAdvantageTimesScoreAndAdvantageIsStopped) {
  PgCase c;
  c.logits.requires_grad_(true);
  c.adv.requires_grad_(true);
  policy_gradient_loss_per_step(c.logits, c.actions, c.adv).sum().backward();
  // d(-log π(a))/dlogits = π - onehot(a), times adv.
  expect_near(c.logits.grad(), {2.0 * 0.25, 2.0 * -0.25, -1.0 * -0.5, -1.0 * 0.5}, 1e-12);
  EXPECT_FALSE(c.adv.grad().defined());

  PgCase d;
  d.adv.requires_grad_(true);
  policy_gradient_loss_per_step(d.logits, d.actions, d.adv, /*use_stop_gradient=*/false)
      .sum()
      .backward();
  expect_near(d.adv.grad(), {-std::log(0.75), -std::log(0.5)}, 1e-12);
}

TEST(ClippedSurrogate, HandValues) {
  // ε = 0.2. Rows: (ratio, adv) -> -min(r·A, clip(r)·A):
  //   (1.5, 2)  -> -min(3, 2.4)    = -2.4  (clipped above, positive adv)
  //   (0.5, 2)  -> -min(1, 1.6)    = -1.0  (unclipped: pessimistic)
  //   (1.5, -1) -> -min(-1.5, -1.2) = 1.5
  //   (0.5, -1) -> -min(-0.5, -0.8) = 0.8  (clipped below, negative adv)
  const torch::Tensor ratios = tensor({1.5, 0.5, 1.5, 0.5}, {4, 1});
  const torch::Tensor adv = tensor({2.0, 2.0, -1.0, -1.0}, {4, 1});
  expect_near(clipped_surrogate_pg_loss_per_step(ratios, adv, 0.2), {-2.4, -1.0, 1.5, 0.8}, 1e-12);
  expect_near(clipped_surrogate_pg_loss(ratios, adv, 0.2), {(-2.4 - 1.0 + 1.5 + 0.8) / 4.0}, 1e-12);
}

TEST(ClippedSurrogate, NoGradientThroughClippedRatios) {
  const torch::Tensor ratios = tensor({1.5, 0.5, 1.0}, {3}).requires_grad_(true);
  const torch::Tensor adv = tensor({2.0, -1.0, 3.0}, {3}).requires_grad_(true);
  clipped_surrogate_pg_loss_per_step(ratios, adv, 0.2).sum().backward();
  // Clipped entries have zero gradient; inside the range d/dr = -A.
  expect_near(ratios.grad(), {0.0, 0.0, -3.0}, 1e-12);
  EXPECT_FALSE(adv.grad().defined());
}

}  // namespace
}  // namespace disco::rl
