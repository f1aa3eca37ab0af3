// Scoring achievements (environments that name them: Environment::achievement_names).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace disco {

// The Crafter score (Hafner 2021, "Benchmarking the Spectrum of Agent
// Capabilities"): the geometric mean of 1 + each achievement's success rate
// in percent, minus 1, i.e. exp(mean(log(1 + p))) - 1. `success_rates` are
// fractions in [0, 1] (one per achievement); the score is in percent.
// NaN for no achievements.
inline double crafter_score(const std::vector<double>& success_rates) {
  if (success_rates.empty()) return std::nan("");
  double sum = 0;
  for (double r : success_rates) sum += std::log1p(100.0 * r);
  return std::expm1(sum / static_cast<double>(success_rates.size()));
}

// Adds 1 to counts[k] for every bit k set in `unlocked` (an episode's
// Environment::unlocked_achievements(); counts has one entry per achievement).
inline void count_unlocked(uint64_t unlocked, std::vector<int64_t>& counts) {
  for (; unlocked; unlocked &= unlocked - 1) ++counts[__builtin_ctzll(unlocked)];
}

}  // namespace disco
