#include "rl/distributions.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/simd_rows.h"
#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

TEST(CategoricalKl, HandValue) {
  // p = [1/2, 1/2], q = [1/4, 3/4]: KL = ½ln(½/¼) + ½ln(½/¾).
  const torch::Tensor p = tensor({0.0, 0.0}, {1, 2});
  const torch::Tensor q = tensor({std::log(0.25), std::log(0.75)}, {1, 2});
  expect_near(categorical_kl_divergence(p, q), {0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3.0)},
              1e-12);
  // KL is not symmetric: KL(q‖p) = ¼ln(¼/½) + ¾ln(¾/½).
  expect_near(categorical_kl_divergence(q, p), {0.25 * std::log(0.5) + 0.75 * std::log(1.5)},
              1e-12);
}

TEST(CategoricalKl, ZeroForEqualOrShiftedLogits) {
  const torch::Tensor p = tensor({0.3, -1.0, 2.0, 0.1, 0.2, 0.3}, {2, 3});
  expect_near(categorical_kl_divergence(p, p + 5.0), {0.0, 0.0}, 1e-12);
}

TEST(CategoricalKl, ZeroProbabilityTermsAreDroppedWithFiniteGradients) {
  const double inf = std::numeric_limits<double>::infinity();
  // p = [0, 1], q = [½, ½]: KL = ln 2.
  const torch::Tensor p = tensor({-inf, 0.0}, {2}).requires_grad_(true);
  const torch::Tensor q = tensor({0.0, 0.0}, {2}).requires_grad_(true);
  const torch::Tensor kl = categorical_kl_divergence(p, q);
  expect_near(kl, {std::log(2.0)}, 1e-12);
  kl.backward();
  EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>()) << p.grad();
  // d KL/d q_logits = softmax(q) - softmax(p) = [½, -½].
  expect_near(q.grad(), {0.5, -0.5}, 1e-12);
}

// KL(p‖q) from plain autograd ops, to check the written-out gradient against.
torch::Tensor composite_kl(const torch::Tensor& p_logits, const torch::Tensor& q_logits) {
  const auto log_p = torch::log_softmax(p_logits, -1);
  return (torch::exp(log_p) * (log_p - torch::log_softmax(q_logits, -1))).sum(-1);
}

TEST(CategoricalKl, FirstAndSecondDerivativesMatchTheCompositeForm) {
  torch::manual_seed(3);
  const auto p = (torch::randn({4, 7}, torch::kFloat64) * 2).requires_grad_(true);
  const auto q = (torch::randn({4, 7}, torch::kFloat64) * 2).requires_grad_(true);
  const auto w = torch::rand({4}, torch::kFloat64);  // weights per row, as a loss mask gives
  const auto v = torch::randn({4, 7}, torch::kFloat64);
  // First derivatives (with a graph), then a second derivative through them
  // as meta-gradients take: d/d(p, q) of <v, ∂L/∂q> + <v, ∂L/∂p>.
  const auto derivatives = [&](const torch::Tensor& kl) {
    const auto first = torch::autograd::grad({(kl * w).sum()}, {p, q}, {}, true, true);
    const auto second = torch::autograd::grad({(first[0] * v).sum() + (first[1] * v).sum()},
                                              {p, q});
    return std::vector<torch::Tensor>{first[0], first[1], second[0], second[1]};
  };
  const auto mine = derivatives(categorical_kl_divergence(p, q));
  const auto reference = derivatives(composite_kl(p, q));
  for (size_t i = 0; i < mine.size(); ++i) {
    EXPECT_TRUE(torch::allclose(mine[i], reference[i], 1e-10, 1e-12))
        << "derivative " << i << "\n" << mine[i] << "\n" << reference[i];
  }
}

TEST(CategoricalKl, GradientWithoutAGraphEqualsTheRecordedOne) {
  torch::manual_seed(4);
  const auto p = torch::randn({3, 600});
  const auto q = torch::randn({3, 600}).requires_grad_(true);
  const auto plain = torch::autograd::grad({categorical_kl_divergence(p, q).sum()}, {q})[0];
  const auto recorded =
      torch::autograd::grad({categorical_kl_divergence(p, q).sum()}, {q}, {}, false, true)[0];
  // Float rounding apart: the unrecorded pass may be core/simd_rows' kernel
  // (exp to ~1.2e-7 relative) and the largest gradients here are ~0.02.
  const auto expected = torch::softmax(q, -1) - torch::softmax(p, -1);
  ASSERT_GT(expected.abs().max().item<double>(), 0.01);
  EXPECT_LE((plain - recorded).abs().max().item<double>(), 4e-8);
  EXPECT_LE((plain - expected).abs().max().item<double>(), 4e-8);
}

// The fused row kernels (core/simd_rows.h, float32 on CPUs with AVX2) give
// the LibTorch form's KL and gradients, on a block narrowed out of a batch.
TEST(CategoricalKl, FusedKernelsMatchTheLibTorchForm) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  torch::manual_seed(5);
  const auto p_batch = torch::randn({6, 8, 600}) * 3, q_batch = torch::randn({6, 8, 600}) * 2;
  const auto w = torch::rand({6, 4});
  const auto run = [&](bool fused) {
    simd::set_enabled(fused);
    const auto p = p_batch.clone().requires_grad_(true), q = q_batch.clone().requires_grad_(true);
    const auto kl = categorical_kl_divergence(p.narrow(1, 3, 4), q.narrow(1, 3, 4));
    auto grads = torch::autograd::grad({(kl * w).sum()}, {p, q});
    simd::set_enabled(true);
    return std::vector<torch::Tensor>{kl.detach(), grads[0], grads[1]};
  };
  const auto fused = run(true), plain = run(false);
  for (size_t i = 0; i < fused.size(); ++i) {
    EXPECT_TRUE(torch::allclose(fused[i], plain[i], 1e-4, 1e-6)) << i;
  }
  EXPECT_FALSE(torch::equal(fused[0], plain[0]));  // the kernel did run
}

TEST(Entropy, HandValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const torch::Tensor logits = tensor({1.0, 1.0, 1.0, 1.0, 0.0, -inf, -inf, -inf}, {2, 4});
  expect_near(entropy(logits), {std::log(4.0), 0.0}, 1e-12);
  // p = [¼, ¾].
  expect_near(entropy(tensor({0.0, std::log(3.0)}, {2})),
              {-(0.25 * std::log(0.25) + 0.75 * std::log(0.75))}, 1e-12);
}

TEST(ImportanceWeight, RatioOfTakenActionWithoutGradient) {
  // π = [0.2, 0.8], μ = [0.5, 0.5]: ρ(a=1) = 1.6, ρ(a=0) = 0.4.
  const torch::Tensor pi = tensor({std::log(0.2), std::log(0.8)}, {1, 2}).requires_grad_(true);
  const torch::Tensor mu = tensor({0.0, 0.0}, {1, 2});
  const torch::Tensor actions = torch::tensor({1}, torch::kLong);
  const torch::Tensor rho =
      importance_weight(pi.expand({2, 2}), mu.expand({2, 2}), torch::tensor({1, 0}, torch::kLong));
  expect_near(rho, {1.6, 0.4}, 1e-12);
  EXPECT_FALSE(rho.requires_grad());
  expect_near(categorical_log_prob(pi, actions), {std::log(0.8)}, 1e-12);
}

}  // namespace
}  // namespace disco::rl
