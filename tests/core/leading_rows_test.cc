#include "core/leading_rows.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace disco {
namespace {

// The leading rows' gradient is LibTorch's slice gradient: the cotangent in
// the first n rows, zeros after them.
TEST(LeadingRows, GradientIsTheSliceGradient) {
  torch::manual_seed(0);
  const auto x = torch::randn({5, 3, 4}, torch::requires_grad());
  const auto w = torch::randn({3, 3, 4});
  const auto ours = torch::autograd::grad({(leading_rows(x, 3) * w).sum()}, {x})[0];
  const auto libtorch = torch::autograd::grad({(x.slice(0, 0, 3) * w).sum()}, {x})[0];
  EXPECT_TRUE(torch::equal(ours, libtorch));
  EXPECT_TRUE(torch::equal(ours.slice(0, 0, 3), w));
  EXPECT_EQ(ours.slice(0, 3).abs().sum().item<float>(), 0.f);
  EXPECT_TRUE(torch::equal(leading_rows(x, 3), x.slice(0, 0, 3)));
}

// A recorded backward pass (meta-gradients) stays differentiable: the
// second derivative of Σ (x[:n]^3) is 6 x[:n] on the diagonal, 0 after.
TEST(LeadingRows, SecondDerivativesFlowThroughTheRecordedBackward) {
  const auto x = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::dtype(torch::kFloat64).requires_grad(true));
  const auto g = torch::autograd::grad({leading_rows(x, 2).pow(3).sum()}, {x}, {},
                                       /*retain_graph=*/true, /*create_graph=*/true)[0];
  ASSERT_TRUE(g.requires_grad());
  const auto h = torch::autograd::grad({g.sum()}, {x})[0];
  EXPECT_TRUE(torch::allclose(h, torch::tensor({6.0, 12.0, 0.0, 0.0}, torch::kFloat64)));
}

TEST(LeadingRows, MoreRowsThanTheTensorHasThrow) {
  EXPECT_THROW(leading_rows(torch::zeros({2, 3}), 3), std::invalid_argument);
  EXPECT_THROW(leading_rows(torch::zeros({}), 0), std::invalid_argument);
}

}  // namespace
}  // namespace disco
