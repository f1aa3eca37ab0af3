// Small helpers for the rl tests: build tensors from literals and compare
// them element-wise with expected numbers.
#pragma once

#include <gtest/gtest.h>
#include <torch/types.h>

#include <cmath>
#include <vector>

namespace disco::rl::testing {

// A tensor of `dtype` (float64 by default, so hand numbers are exact) with the
// given values and shape.
inline torch::Tensor tensor(const std::vector<double>& values, std::vector<int64_t> shape,
                            torch::Dtype dtype = torch::kFloat64) {
  return torch::tensor(values, torch::kFloat64).reshape(shape).to(dtype);
}

inline std::vector<double> values_of(const torch::Tensor& x) {
  const torch::Tensor flat = x.detach().to(torch::kCPU, torch::kFloat64).contiguous().reshape(-1);
  return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

// Expects |actual - expected| <= atol + rtol·|expected| for every entry.
inline void expect_near(const torch::Tensor& actual, const std::vector<double>& expected,
                        double atol = 1e-9, double rtol = 0.0) {
  const std::vector<double> got = values_of(actual);
  ASSERT_EQ(got.size(), expected.size()) << "shape " << actual.sizes();
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], atol + rtol * std::abs(expected[i])) << "at flat index " << i;
  }
}

inline void expect_near(const torch::Tensor& actual, const torch::Tensor& expected,
                        double atol = 1e-9, double rtol = 0.0) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  expect_near(actual, values_of(expected), atol, rtol);
}

}  // namespace disco::rl::testing
