#include "eval/performance_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace disco {
namespace {

void check_taus(const std::vector<double>& taus) {
  if (taus.empty()) throw std::invalid_argument("performance profile: no thresholds");
  for (double tau : taus) {
    if (!std::isfinite(tau)) {
      throw std::invalid_argument("performance profile: threshold " + std::to_string(tau) +
                                  " is not finite");
    }
  }
}

// How many of `sorted` lie strictly above tau.
int count_above(const std::vector<double>& sorted, double tau) {
  return static_cast<int>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), tau));
}

// The q-th percentile (numpy's linear interpolation) of a sample of `reps`
// values k / n given as a histogram: counts[k] of the values equal k / n.
// The same number as percentile() on the expanded values, without them.
double percentile_of_counts(const std::vector<int64_t>& counts, int64_t reps, int n, double q) {
  const double pos = q / 100.0 * static_cast<double>(reps - 1);
  const int64_t lo = static_cast<int64_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(lo);
  // The i-th order statistic (from 0): the first k whose cumulative count exceeds i.
  const auto order_statistic = [&](int64_t i) {
    int64_t below = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
      below += counts[k];
      if (below > i) return static_cast<double>(k) / n;
    }
    return 1.0;
  };
  const double low = order_statistic(lo);
  if (frac == 0 || lo + 1 >= reps) return low;
  return low + (order_statistic(lo + 1) - low) * frac;
}

}  // namespace

std::vector<double> run_score_profile(const TaskScores& scores, const std::vector<double>& taus) {
  check_taus(taus);
  const StratifiedResampler runs(scores);  // checks the scores
  std::vector<double> sorted = runs.original();
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> out;
  out.reserve(taus.size());
  for (double tau : taus) {
    out.push_back(static_cast<double>(count_above(sorted, tau)) /
                  static_cast<double>(sorted.size()));
  }
  return out;
}

PerformanceProfile performance_profile(const TaskScores& scores, const std::vector<double>& taus,
                                       const BootstrapSettings& settings) {
  if (settings.reps < 1) {
    throw std::invalid_argument("bootstrap reps must be positive, got " +
                                std::to_string(settings.reps));
  }
  if (!(settings.confidence > 0 && settings.confidence < 1)) {
    throw std::invalid_argument("bootstrap confidence must lie in (0, 1), got " +
                                std::to_string(settings.confidence));
  }
  PerformanceProfile out;
  out.taus = taus;
  out.fraction = run_score_profile(scores, taus);
  const StratifiedResampler resampler(scores);
  const int n = static_cast<int>(resampler.original().size());
  // counts[i][k]: resamples in which exactly k runs lie above taus[i].
  std::vector<std::vector<int64_t>> counts(taus.size(), std::vector<int64_t>(n + 1, 0));
  Rng rng(settings.seed);
  std::vector<double> sample;
  for (int r = 0; r < settings.reps; ++r) {
    resampler.resample(rng, &sample);
    std::sort(sample.begin(), sample.end());
    for (size_t i = 0; i < taus.size(); ++i) ++counts[i][count_above(sample, taus[i])];
  }
  const double tail = 100.0 * (1.0 - settings.confidence) / 2.0;
  for (size_t i = 0; i < taus.size(); ++i) {
    out.ci.push_back({percentile_of_counts(counts[i], settings.reps, n, tail),
                      percentile_of_counts(counts[i], settings.reps, n, 100.0 - tail)});
  }
  return out;
}

std::vector<double> profile_thresholds(const std::vector<TaskScores>& rules, int count) {
  if (count < 2) {
    throw std::invalid_argument("performance profile: at least 2 thresholds, got " +
                                std::to_string(count));
  }
  double low = 0, high = 1;
  bool any = false;
  for (const TaskScores& scores : rules) {
    for (const auto& runs : scores) {
      for (double v : runs) {
        if (!std::isfinite(v)) continue;
        low = std::min(low, v);
        high = std::max(high, v);
        any = true;
      }
    }
  }
  if (!any) throw std::invalid_argument("performance profile: no scores to set thresholds by");
  std::vector<double> taus(count);
  for (int i = 0; i < count; ++i) {
    taus[i] = i + 1 == count ? high : low + (high - low) * i / (count - 1);
  }
  return taus;
}

}  // namespace disco
