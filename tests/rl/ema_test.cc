#include "rl/ema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

TEST(Ema, InitialState) {
  const EmaState s = ema_init();
  EXPECT_EQ(s.moment1.dim(), 0);
  EXPECT_EQ(s.moment1.scalar_type(), torch::kFloat32);
  expect_near(s.moment1, {0.0});
  expect_near(s.moment2, {0.0});
  expect_near(s.decay_product, {1.0});
}

TEST(Ema, TwoUpdatesByHand) {
  // x1 = [1, 3] (mean 2, mean x² 5), x2 = [[0, 4], [4, 0]] (mean 2, mean x² 8), d = 0.9:
  //   after 1: m1 = 0.2, m2 = 0.5, dp = 0.9 -> mean 2, var 5 - 4 = 1
  //   after 2: m1 = 0.18 + 0.2 = 0.38, m2 = 0.45 + 0.8 = 1.25, dp = 0.81
  //            -> mean 0.38/0.19 = 2, var 1.25/0.19 - 4
  EmaState s = ema_init(torch::kFloat64);
  s = ema_update(s, tensor({1.0, 3.0}, {2}), 0.9);
  expect_near(s.moment1, {0.2}, 1e-15);
  expect_near(s.moment2, {0.5}, 1e-15);
  expect_near(s.decay_product, {0.9}, 1e-15);
  EmaMoments m = ema_mean_var(s);
  expect_near(m.mean, {2.0}, 1e-12);
  expect_near(m.variance, {1.0}, 1e-12);

  s = ema_update(s, tensor({0.0, 4.0, 4.0, 0.0}, {2, 2}), 0.9);
  expect_near(s.moment1, {0.38}, 1e-15);
  expect_near(s.moment2, {1.25}, 1e-15);
  expect_near(s.decay_product, {0.81}, 1e-15);
  m = ema_mean_var(s);
  expect_near(m.mean, {2.0}, 1e-12);
  expect_near(m.variance, {1.25 / 0.19 - 4.0}, 1e-12);
}

TEST(Ema, NormalizeWithAndWithoutMean) {
  EmaState s =
      ema_update(ema_init(torch::kFloat64), tensor({1.0, 3.0}, {2}), 0.9);  // mean 2, var 1
  const torch::Tensor x = tensor({2.0, 5.0}, {2});
  const double scale = std::sqrt(1.0 + 1e-12) + 1e-6;
  expect_near(ema_normalize(x, s), {0.0, 3.0 / scale}, 1e-12);
  expect_near(ema_normalize(x, s, 1e-6, /*subtract_mean=*/false), {2.0 / scale, 5.0 / scale},
              1e-12);
  // eps = 0.5: (x - 2)/(1 + 0.5).
  expect_near(ema_normalize(x, s, 0.5), {0.0, 2.0}, 1e-9);
}

TEST(Ema, NegativeVarianceFromRoundingIsClippedToZero) {
  // m2/(1-dp) - mean² slightly negative: a constant input in float32.
  EmaState s = ema_init();
  for (int i = 0; i < 3; ++i) s = ema_update(s, torch::full({5}, 0.1f), 0.99);
  const EmaMoments m = ema_mean_var(s);
  EXPECT_GE(m.variance.item<float>(), 0.0f);
  // A second moment below mean²·(1 - dp) would give a negative variance.
  s.moment2 = s.moment1 * s.moment1 / (1.0 - s.decay_product) - 1e-6;
  expect_near(ema_mean_var(s).variance, {0.0});
}

TEST(Ema, MatchesIndependentLoopOverManyUpdates) {
  // Decay 0.99 as in Disco103; compare with a plain double loop.
  EmaState s = ema_init(torch::kFloat64);
  double m1 = 0.0, m2 = 0.0, dp = 1.0;
  torch::manual_seed(3);
  for (int step = 0; step < 20; ++step) {
    const torch::Tensor x = torch::randn({6, 3}, torch::kFloat64) * 3.0 + 1.0;
    s = ema_update(s, x, 0.99);
    double sum = 0.0, sum_sq = 0.0;
    for (double v : testing::values_of(x)) {
      sum += v;
      sum_sq += v * v;
    }
    m1 = 0.99 * m1 + 0.01 * sum / 18.0;
    m2 = 0.99 * m2 + 0.01 * sum_sq / 18.0;
    dp *= 0.99;
  }
  const double mean = m1 / (1.0 - dp);
  const double var = std::max(0.0, m2 / (1.0 - dp) - mean * mean);
  const EmaMoments m = ema_mean_var(s);
  expect_near(m.mean, {mean}, 1e-12);
  expect_near(m.variance, {var}, 1e-12);
}

TEST(Ema, UpdateFromMeansEqualsUpdate) {
  const torch::Tensor x = tensor({1.0, -2.0, 0.5}, {3});
  const EmaState a = ema_update(ema_init(torch::kFloat64), x, 0.95);
  const EmaState b =
      ema_update_from_means(ema_init(torch::kFloat64), x.mean(), (x * x).mean(), 0.95);
  expect_near(a.moment1, b.moment1, 1e-15);
  expect_near(a.moment2, b.moment2, 1e-15);
  EXPECT_THROW(ema_update_from_means(ema_init(torch::kFloat64), x, x, 0.95), c10::Error);
}

}  // namespace
}  // namespace disco::rl
