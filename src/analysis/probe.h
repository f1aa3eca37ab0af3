// Figure 4c of the paper: do the discovered predictions carry information
// that the value does not? Linear (ridge) probes from y, z and q to
// quantities of the future, trained on one half of the recorded episodes and
// scored on the other.
#pragma once

#include <string>
#include <vector>

#include "analysis/episodes.h"

namespace disco {

// Ridge regression on standardised features: w = (XᵀX + λI)⁻¹ Xᵀ(y − ȳ).
struct RidgeProbe {
  torch::Tensor mean, scale, weights;  // [D], [D], [D]
  double bias = 0;
  torch::Tensor predict(const torch::Tensor& x) const;  // [N, D] -> [N]
};
RidgeProbe fit_ridge(const torch::Tensor& x, const torch::Tensor& y, double lambda);

// 1 - SS_res/SS_tot (can be negative on held-out data).
double r_squared(const torch::Tensor& prediction, const torch::Tensor& target);
// Area under the ROC curve of `score` for 0/1 `label` (ties count half);
// NaN when one class is absent.
double roc_auc(const torch::Tensor& score, const torch::Tensor& label);

struct ProbeSettings {
  std::vector<int> horizons = {1, 2, 4, 8};  // k
  double reward_threshold = 0.5;             // "a large reward": r > threshold
  double lambda = 1.0;
};

struct ProbeScore {
  std::string target;  // "policy_entropy" (R², k steps ahead) or "large_reward" (AUC, within k steps)
  int k = 0;
  std::string inputs;  // "y", "z", "q", "y+z", "y+z+q"
  std::string metric;  // "r2" or "auc"
  double score = 0;
  int64_t train_states = 0, test_states = 0;
};

// Inputs per state: y, z at the taken action, and the action values q(·)
// (scalars per action, from the categorical q). Episodes [0, E/2) train,
// [E/2, E) test.
std::vector<ProbeScore> run_probes(const RecordedEpisodes& episodes, const ProbeSettings& settings,
                                   double max_abs_value);

}  // namespace disco
