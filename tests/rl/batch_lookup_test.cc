#include "rl/batch_lookup.h"

#include <gtest/gtest.h>

#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;

TEST(BatchLookup, SelectsAlongTheAxisAfterTheIndexShape) {
  // values[t, b, a] = 12t + 4b + a.
  const torch::Tensor values = torch::arange(24, torch::kFloat64).reshape({2, 3, 4});
  const torch::Tensor actions = torch::tensor({0, 1, 2, 3, 0, 1}, torch::kLong).reshape({2, 3});
  expect_near(batch_lookup(values, actions), {0, 5, 10, 15, 16, 21});
  // int32 indices, as the golden file stores actions.
  expect_near(batch_lookup(values, actions.to(torch::kInt)), {0, 5, 10, 15, 16, 21});
}

TEST(BatchLookup, KeepsTrailingAxes) {
  // q [T=1, B=2, A=3, NB=2] with actions [1, 2] -> q[0, b, a_b, :].
  const torch::Tensor q = torch::arange(12, torch::kFloat64).reshape({1, 2, 3, 2});
  const torch::Tensor actions = torch::tensor({2, 0}, torch::kLong).reshape({1, 2});
  const torch::Tensor out = batch_lookup(q, actions);
  ASSERT_EQ(out.sizes(), (torch::IntArrayRef{1, 2, 2}));
  expect_near(out, {4, 5, 6, 7});
}

TEST(BatchLookup, GradientReachesOnlySelectedEntries) {
  const torch::Tensor values = torch::zeros({2, 3}, torch::kFloat64).requires_grad_(true);
  batch_lookup(values, torch::tensor({2, 0}, torch::kLong)).sum().backward();
  expect_near(values.grad(), {0, 0, 1, 1, 0, 0});
}

TEST(BatchLookup, RejectsMismatchedShapes) {
  const torch::Tensor values = torch::zeros({2, 3});
  EXPECT_THROW(batch_lookup(values, torch::zeros({3}, torch::kLong)), c10::Error);
  EXPECT_THROW(batch_lookup(values, torch::zeros({2, 3}, torch::kLong)), c10::Error);
}

}  // namespace
}  // namespace disco::rl
