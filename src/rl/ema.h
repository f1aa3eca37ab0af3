// Exponential moving averages of the first two moments of a quantity, with
// Adam-style zero-debiasing, used to normalise advantages and TD errors
// (the reference's disco_rl/utils.MovingAverage; used by
// value_fns/value_utils.get_value_outs with decay 0.99, eps 1e-6 in Disco103).
//
// Each update adds ONE scalar per moment: the mean over all entries of x.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace disco::rl {

struct EmaState {
  torch::Tensor moment1;        // [] EMA of mean(x), starts at 0
  torch::Tensor moment2;        // [] EMA of mean(x²), starts at 0
  torch::Tensor decay_product;  // [] product of the decays so far, starts at 1
};

// Zeros for the moments, 1 for decay_product; float32 scalars by default.
EmaState ema_init(const torch::TensorOptions& options = torch::kFloat32);

// m1 ← d·m1 + (1-d)·mean(x), m2 ← d·m2 + (1-d)·mean(x²), decay_product ← d·decay_product.
EmaState ema_update(const EmaState& state, const torch::Tensor& x, double decay);

// The same update from precomputed batch means (e.g. averaged across learners,
// as the reference's pmean does): mean_x = mean(x), mean_x2 = mean(x²).
EmaState ema_update_from_means(const EmaState& state, const torch::Tensor& mean_x,
                               const torch::Tensor& mean_x2, double decay);

// The state as named entries <prefix>moment1, <prefix>moment2,
// <prefix>decay_product of a tensor map (rule states, checkpoints, golden
// files). get_ema_state throws std::invalid_argument naming a missing entry.
void put_ema_state(std::map<std::string, torch::Tensor>& out, const std::string& prefix,
                   const EmaState& state);
EmaState get_ema_state(const std::map<std::string, torch::Tensor>& in, const std::string& prefix);

struct EmaMoments {
  torch::Tensor mean;      // [] m1 / (1 - decay_product)
  torch::Tensor variance;  // [] max(0, m2 / (1 - decay_product) - mean²)
};

// Debiased moments. Undefined (division by zero) before the first update.
EmaMoments ema_mean_var(const EmaState& state);

// (x - mean)/(sqrt(var + root_eps) + eps), or x/(sqrt(var + root_eps) + eps)
// without subtract_mean (MovingAverage.normalize); two epsilons keep the
// gradient finite when var = 0.
torch::Tensor ema_normalize(const torch::Tensor& x, const EmaState& state, double eps = 1e-6,
                            bool subtract_mean = true, double root_eps = 1e-12);

}  // namespace disco::rl
