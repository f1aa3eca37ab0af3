#include "rl/transforms.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rl_testing.h"

namespace disco::rl {
namespace {

using testing::expect_near;
using testing::tensor;

TEST(SignedLogp1, HandValues) {
  const torch::Tensor x = tensor({-3.0, 0.0, std::exp(1.0) - 1.0}, {3});
  expect_near(signed_logp1(x), {-std::log(4.0), 0.0, 1.0});
  expect_near(signed_expm1(signed_logp1(x)), x);
}

TEST(SignedHyperbolic, HandValues) {
  // h(3) = sqrt(4) - 1 + 3e-3; h(-8) = -(sqrt(9) - 1) - 8e-3.
  const torch::Tensor x = tensor({3.0, -8.0, 0.0, 15.0}, {4});
  expect_near(signed_hyperbolic(x), {2.003 - 1.0, -2.008, 0.0, 3.0 + 0.015});
  expect_near(signed_hyperbolic(x, /*eps=*/0.0), {1.0, -2.0, 0.0, 3.0});
}

TEST(SignedParabolic, InvertsSignedHyperbolicInDouble) {
  const torch::Tensor x = torch::linspace(-1000.0, 1000.0, 2001, torch::kFloat64);
  expect_near(signed_parabolic(signed_hyperbolic(x)), x, 1e-8, 1e-10);
  expect_near(signed_hyperbolic(signed_parabolic(x)), x, 1e-8, 1e-10);
  // Another eps: h_eps^-1(h_eps(3)) = 3.
  const torch::Tensor three = tensor({3.0, -3.0}, {2});
  expect_near(signed_parabolic(signed_hyperbolic(three, 0.1), 0.1), three, 1e-10);
}

TEST(SignedParabolic, HandValue) {
  // h(3) = 1.003, so h^-1(1.003) = 3.
  expect_near(signed_parabolic(tensor({1.003, -1.003}, {2})), {3.0, -3.0}, 1e-9);
}

TEST(SignedParabolic, Float32CancellationStaysSmall) {
  // rlax's formula in float32 loses ~1e-4 absolute near 0 and ~1e-3 at 100
  // (golden README); much larger errors would mean a different formula.
  const torch::Tensor x = torch::linspace(-150.0, 150.0, 601, torch::kFloat64);
  const torch::Tensor x32 = signed_hyperbolic(x).to(torch::kFloat32);
  expect_near(signed_parabolic(x32), x, 3e-3, 0.0);
}

}  // namespace
}  // namespace disco::rl
