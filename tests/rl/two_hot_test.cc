#include "rl/two_hot.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "core/simd_rows.h"
#include "rl/transforms.h"
#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

// Bins 0, 0.25, 0.5, 0.75, 1.
constexpr double kMin = 0.0, kMax = 1.0;
constexpr int64_t kBins = 5;

TEST(TwoHot, ScalarOnABinIsOneHot) {
  // On a bin, lower = upper and rlax gives p_lower = 0/(0 + 1e-5) = 0, p_upper = 1.
  expect_near(transform_to_2hot(tensor({0.25}, {1}), kMin, kMax, kBins), {0, 1, 0, 0, 0});
}

TEST(TwoHot, ScalarBetweenBinsSplitsByDistance) {
  // 0.3 lies between 0.25 and 0.5: p_lower = (0.5 - 0.3)/(0.25 + 1e-5).
  const double p_low = 0.2 / 0.25001;
  expect_near(transform_to_2hot(tensor({0.3}, {1}), kMin, kMax, kBins), {0, p_low, 1 - p_low, 0, 0},
              1e-12);
}

TEST(TwoHot, ClipsToTheEndBins) {
  expect_near(transform_to_2hot(tensor({5.0, -3.0}, {2}), kMin, kMax, kBins),
              {0, 0, 0, 0, 1, 1, 0, 0, 0, 0});
}

TEST(TwoHot, KeepsLeadingShape) {
  const torch::Tensor x = torch::zeros({2, 3, 4}, torch::kFloat64);
  EXPECT_EQ(transform_to_2hot(x, kMin, kMax, kBins).sizes(), (torch::IntArrayRef{2, 3, 4, 5}));
}

TEST(TwoHot, FromTwoHotIsTheBinExpectation) {
  expect_near(transform_from_2hot(tensor({0.1, 0.2, 0.3, 0.4, 0.0}, {1, 5}), kMin, kMax, kBins),
              {0.2 * 0.25 + 0.3 * 0.5 + 0.4 * 0.75});
  const torch::Tensor x = tensor({-7.0, -3.2, 0.0, 0.01, 4.5, 9.99, 12.0}, {7});
  // Round trip: within 1e-5 relative (the 1e-5 in p_lower), clipped to [-10, 10].
  const torch::Tensor back =
      transform_from_2hot(transform_to_2hot(x, -10.0, 10.0, 21), -10.0, 10.0, 21);
  expect_near(back, {-7.0, -3.2, 0.0, 0.01, 4.5, 9.99, 10.0}, 1e-4);
}

TEST(TwoHot, GradientReachesTheScalarInsideTheRangeOnly) {
  // d/dx Σ bins·two_hot(x) = bin width/(bin width + 1e-5) ≈ 1 inside, 0 where clipped.
  const torch::Tensor x = tensor({0.3, 2.0}, {2}).requires_grad_(true);
  transform_from_2hot(transform_to_2hot(x, kMin, kMax, kBins), kMin, kMax, kBins).sum().backward();
  expect_near(x.grad(), {0.25 / 0.25001, 0.0}, 1e-12);
}

TEST(TwoHotIntegerBins, HandValues) {
  // Bins -3..3 (index = bin + 3).
  const torch::Tensor probs =
      transform_to_2hot_integer_bins(tensor({2.3, -0.5, 7.0, -2.0}, {4}), 3);
  ASSERT_EQ(probs.sizes(), (torch::IntArrayRef{4, 7}));
  const double p23 = 0.7 / 1.00001, p05 = 0.5 / 1.00001;
  expect_near(probs[0], {0, 0, 0, 0, 0, p23, 1 - p23}, 1e-12);
  expect_near(probs[1], {0, 0, p05, 1 - p05, 0, 0, 0}, 1e-12);
  expect_near(probs[2], {0, 0, 0, 0, 0, 0, 1});  // clipped to 3
  expect_near(probs[3], {0, 1, 0, 0, 0, 0, 0});  // exactly on a bin
}

TEST(TwoHotIntegerBins, MatchesRlaxFormOnIntegerSupportInDouble) {
  // The reference calls rlax.transform_to_2hot(x, -M, M, 2M + 1); on integer
  // bins that is the integer form.
  const torch::Tensor x = torch::linspace(-320.0, 320.0, 1283, torch::kFloat64) + 0.137;
  expect_near(transform_to_2hot_integer_bins(x, 300), transform_to_2hot(x, -300.0, 300.0, 601),
              1e-9);
}

TEST(TwoHot, GradientReachesBothBinsOfEachScalar) {
  // d/dx Σ w·two_hot(x) = (w[up] - w[low]) / bin width, per scalar.
  const torch::Tensor x = tensor({0.3, 0.6}, {2}).requires_grad_(true);
  const torch::Tensor w = tensor({1.0, 2.0, 4.0, 8.0, 16.0}, {5});
  (transform_to_2hot(x, kMin, kMax, kBins) * w).sum().backward();
  expect_near(x.grad(), {(4.0 - 2.0) / 0.25001, (8.0 - 4.0) / 0.25001}, 1e-9);
}

TEST(TwoHot, NanScalarGivesNanProbabilitiesNotAnError) {
  const torch::Tensor probs =
      transform_to_2hot_integer_bins(tensor({std::nan(""), 1.0}, {2}), 3);
  EXPECT_TRUE(torch::isnan(probs[0]).any().item<bool>());
  expect_near(probs[1], {0, 0, 0, 0, 1, 0, 0});
}

TEST(TwoHotIntegerBins, RejectsNonPositiveRange) {
  EXPECT_THROW(transform_to_2hot_integer_bins(tensor({0.0}, {1}), 0), std::invalid_argument);
  EXPECT_THROW(transform_to_2hot(tensor({0.0}, {1}), 1.0, 1.0, 5), std::invalid_argument);
}

TEST(CategoricalValue, LogitsToScalar) {
  // softmax([0, log 3, -inf...]) on bins -1, 0, 1 -> 0.25·(-1) + 0.75·0.
  const torch::Tensor logits = tensor({0.0, std::log(3.0), -1e9, 0.0, 0.0, 0.0}, {2, 3});
  expect_near(categorical_value_to_scalar(logits, 1.0), {-0.25, 0.0}, 1e-12);
}

TEST(CategoricalValue, Float32IntegerSupportIsExact) {
  // A one-hot on bin 1 of 601 bins (value -299) reads back exactly in float32.
  torch::Tensor logits = torch::full({601}, -1e4, torch::kFloat32);
  logits[1] = 0.0;
  EXPECT_EQ(categorical_value_to_scalar(logits, 300.0).item<float>(), -299.0f);
}

TEST(SoftmaxCrossEntropy, HandValues) {
  // softmax([0, log 3]) = [1/4, 3/4].
  const torch::Tensor logits = tensor({0.0, std::log(3.0), 0.0, std::log(3.0)}, {2, 2});
  const torch::Tensor labels = tensor({1.0, 0.0, 0.5, 0.5}, {2, 2});
  expect_near(softmax_cross_entropy(logits, labels),
              {std::log(4.0), -0.5 * std::log(0.25) - 0.5 * std::log(0.75)}, 1e-12);
}

TEST(SoftmaxCrossEntropy, TwoHotTargetGradientIsSoftmaxMinusTarget) {
  // The categorical value loss: d/dlogits CE(logits, two_hot) = softmax - two_hot.
  const torch::Tensor logits =
      tensor({0.3, -0.2, 1.0, 0.0, 0.5, -1.0, 0.2}, {7}).requires_grad_(true);
  const torch::Tensor target =
      transform_to_2hot_integer_bins(signed_hyperbolic(tensor({2.0}, {})), 3);
  softmax_cross_entropy(logits, target).backward();
  expect_near(logits.grad(), torch::softmax(logits.detach(), -1) - target, 1e-12);
}

// With constant labels, float32 on CPUs with AVX2, the loss runs on fused
// row kernels (core/simd_rows.h): the LibTorch form's values, gradients, and
// second derivatives where the backward pass is recorded (meta-gradients).
TEST(SoftmaxCrossEntropy, FusedKernelsMatchTheLibTorchForm) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  torch::manual_seed(6);
  const auto logits_batch = torch::randn({5, 6, 601}) * 3;
  const auto labels = transform_to_2hot_integer_bins(torch::randn({5, 4}) * 50, 300);
  const auto w = torch::rand({5, 4});
  const auto v = torch::randn({5, 4, 601});
  const auto run = [&](bool fused) {
    simd::set_enabled(fused);
    const auto x = logits_batch.clone().requires_grad_(true);
    const auto loss = softmax_cross_entropy(x.narrow(1, 1, 4), labels);
    const auto first = torch::autograd::grad({(loss * w).sum()}, {x}, {}, true, true)[0];
    const auto second = torch::autograd::grad({(first.narrow(1, 1, 4) * v).sum()}, {x})[0];
    const auto plain_first = torch::autograd::grad(
        {(softmax_cross_entropy(x.narrow(1, 1, 4), labels) * w).sum()}, {x})[0];
    simd::set_enabled(true);
    return std::vector<torch::Tensor>{loss.detach(), first.detach(), second, plain_first};
  };
  const auto fused = run(true), plain = run(false);
  for (size_t i = 0; i < fused.size(); ++i) {
    EXPECT_TRUE(torch::allclose(fused[i], plain[i], 1e-4, 1e-6)) << i;
  }
  EXPECT_FALSE(torch::equal(fused[0], plain[0]));  // the kernel did run
}

}  // namespace
}  // namespace disco::rl
