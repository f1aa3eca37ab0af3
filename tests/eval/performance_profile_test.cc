// Run-score performance profiles and their stratified-bootstrap bands
// (src/eval/performance_profile.h) against hand-computed numbers.
#include "eval/performance_profile.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <vector>

namespace disco {
namespace {

BootstrapSettings reps(int n, uint64_t seed = 0) {
  BootstrapSettings s;
  s.reps = n;
  s.seed = seed;
  return s;
}

// Two rules x two tasks x three seeds (the table of tests/eval/stats_cli_test.cc).
const TaskScores kBase = {{0.1, 0.2, 0.3}, {0.5, 0.9, 1.4}};
const TaskScores kGood = {{0.6, 0.7, 0.8}, {0.9, 1.1, 1.2}};
const std::vector<double> kTaus = {0, 0.25, 0.5, 0.9, 1.0, 1.5};

TEST(PerformanceProfile, FractionOfAllRunsStrictlyAboveEachThreshold) {
  // base, all six runs: 0.1 0.2 0.3 | 0.5 0.9 1.4
  //   tau 0    all six above                      6/6
  //   tau 0.25 0.3 0.5 0.9 1.4                    4/6
  //   tau 0.5  0.9 1.4 (0.5 is not above 0.5)     2/6
  //   tau 0.9  1.4                                1/6
  //   tau 1.0  1.4                                1/6
  //   tau 1.5  none                               0
  const std::vector<double> base = run_score_profile(kBase, kTaus);
  const std::vector<double> base_expected = {1, 4 / 6.0, 2 / 6.0, 1 / 6.0, 1 / 6.0, 0};
  ASSERT_EQ(base.size(), kTaus.size());
  for (size_t i = 0; i < kTaus.size(); ++i) {
    EXPECT_DOUBLE_EQ(base[i], base_expected[i]) << "tau " << kTaus[i];
  }
  // good: 0.6 0.7 0.8 | 0.9 1.1 1.2: every run above 0, 0.25 and 0.5; above
  // 0.9 and 1.0 only 1.1 and 1.2; none above 1.5.
  const std::vector<double> good = run_score_profile(kGood, kTaus);
  const std::vector<double> good_expected = {1, 1, 1, 2 / 6.0, 2 / 6.0, 0};
  for (size_t i = 0; i < kTaus.size(); ++i) {
    EXPECT_DOUBLE_EQ(good[i], good_expected[i]) << "tau " << kTaus[i];
  }
}

TEST(PerformanceProfile, TasksWithDifferentRunCountsCountEveryRunOnce) {
  // 1 of 1 run above 0.5 on the first task, 1 of 3 on the second: 2 of 4.
  EXPECT_DOUBLE_EQ(run_score_profile({{0.9}, {0.1, 0.2, 0.7}}, {0.5})[0], 0.5);
}

TEST(PerformanceProfile, BandIsZeroWideWhenEachTasksSeedsAgree) {
  // Every stratified resample of a task whose seeds all scored the same is
  // that task again, so every resample is the table itself and the band is
  // the point: {0.3 x3} and {0.9 x3} give 1 above 0, 1/2 above 0.5 and 0
  // above 1. (An unstratified bootstrap, pooling the six runs, would
  // give bands as wide as [1/6, 5/6] at 0.5.)
  const TaskScores same = {{0.3, 0.3, 0.3}, {0.9, 0.9, 0.9}};
  const PerformanceProfile p = performance_profile(same, {0, 0.5, 1}, reps(2000, 7));
  const std::vector<double> expected = {1, 0.5, 0};
  ASSERT_EQ(p.ci.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(p.fraction[i], expected[i]);
    EXPECT_DOUBLE_EQ(p.ci[i].low, expected[i]);
    EXPECT_DOUBLE_EQ(p.ci[i].high, expected[i]);
  }
}

TEST(PerformanceProfile, BandOfTwoRunsSpansTheirWholeRange) {
  // One task, runs {0, 1}. A resample draws two runs: the fraction above 0.5
  // is 0 (both draws 0, probability 1/4), 1/2 (1/2) or 1 (1/4). With 2000
  // resamples the 2.5th percentile (order statistics 49 and 50 of 2000)
  // lies among ~500 zeros and the 97.5th among ~500 ones: [0, 1]. Below
  // both runs every resample has both above (band [1, 1]); at 1 none is
  // strictly above (band [0, 0]).
  const PerformanceProfile p = performance_profile({{0, 1}}, {-1, 0.5, 1}, reps(2000, 3));
  EXPECT_DOUBLE_EQ(p.fraction[1], 0.5);
  EXPECT_DOUBLE_EQ(p.ci[0].low, 1);
  EXPECT_DOUBLE_EQ(p.ci[0].high, 1);
  EXPECT_DOUBLE_EQ(p.ci[1].low, 0);
  EXPECT_DOUBLE_EQ(p.ci[1].high, 1);
  EXPECT_DOUBLE_EQ(p.ci[2].low, 0);
  EXPECT_DOUBLE_EQ(p.ci[2].high, 0);
}

// The bands are numpy-style percentiles of the profiles of the resamples that
// StratifiedResampler draws from Rng(seed), all thresholds on the same
// resamples: recompute them the slow way and compare exactly.
TEST(PerformanceProfile, BandsArePercentilesOfTheResampledProfiles) {
  const TaskScores scores = {{0.1, 0.4, 0.45, 0.9}, {-0.2, 0.3, 1.3}, {0.6, 0.65}};
  const std::vector<double> taus = {-0.5, 0.0, 0.35, 0.5, 0.62, 1.0, 2.0};
  const BootstrapSettings settings = reps(999, 11);
  const PerformanceProfile p = performance_profile(scores, taus, settings);

  const StratifiedResampler resampler(scores);
  Rng rng(settings.seed);
  std::vector<std::vector<double>> fractions(taus.size());
  std::vector<double> sample;
  for (int r = 0; r < settings.reps; ++r) {
    resampler.resample(rng, &sample);
    const TaskScores one = {sample};
    const std::vector<double> f = run_score_profile(one, taus);
    for (size_t i = 0; i < taus.size(); ++i) fractions[i].push_back(f[i]);
  }
  for (size_t i = 0; i < taus.size(); ++i) {
    EXPECT_DOUBLE_EQ(p.ci[i].low, percentile(fractions[i], 2.5)) << "tau " << taus[i];
    EXPECT_DOUBLE_EQ(p.ci[i].high, percentile(fractions[i], 97.5)) << "tau " << taus[i];
    EXPECT_LE(p.ci[i].low, p.ci[i].high);
  }
}

// With few resamples the percentiles fall between order statistics that
// depend on the draws (with many, the discrete profile values pin them).
TEST(PerformanceProfile, SameSeedSameBandsAnotherSeedOthers) {
  const TaskScores scores = {{0.1, 0.4, 0.45, 0.9, 0.2}, {-0.2, 0.3, 1.3, 0.8}};
  const std::vector<double> taus = profile_thresholds({scores}, 21);
  const PerformanceProfile a = performance_profile(scores, taus, reps(20, 1));
  const PerformanceProfile b = performance_profile(scores, taus, reps(20, 1));
  const PerformanceProfile c = performance_profile(scores, taus, reps(20, 2));
  bool differs = false;
  for (size_t i = 0; i < taus.size(); ++i) {
    EXPECT_EQ(a.ci[i].low, b.ci[i].low);
    EXPECT_EQ(a.ci[i].high, b.ci[i].high);
    differs = differs || a.ci[i].low != c.ci[i].low || a.ci[i].high != c.ci[i].high;
  }
  EXPECT_TRUE(differs);
}

TEST(PerformanceProfile, ThresholdsSpanZeroToOneAndEveryScore) {
  // Scores within [0.2, 0.7]: the span is [0, 1].
  EXPECT_EQ(profile_thresholds({{{0.2, 0.7}}}, 3), (std::vector<double>{0, 0.5, 1}));
  // A rule below 0 and another above 1 widen it: [-0.5, 2] in steps of 0.5.
  EXPECT_EQ(profile_thresholds({{{-0.5, 0.3}}, {{2.0}, {1.0}}}, 6),
            (std::vector<double>{-0.5, 0, 0.5, 1, 1.5, 2}));
  EXPECT_THROW(profile_thresholds({{{0.5}}}, 1), std::invalid_argument);
  EXPECT_THROW(profile_thresholds({}, 11), std::invalid_argument);
}

TEST(PerformanceProfile, BadInputsThrow) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(run_score_profile(kBase, {}), std::invalid_argument);
  EXPECT_THROW(run_score_profile(kBase, {0.5, nan}), std::invalid_argument);
  EXPECT_THROW(run_score_profile({}, {0.5}), std::invalid_argument);
  EXPECT_THROW(run_score_profile({{0.1}, {}}, {0.5}), std::invalid_argument);
  EXPECT_THROW(run_score_profile({{0.1, nan}}, {0.5}), std::invalid_argument);
  EXPECT_THROW(performance_profile(kBase, {0.5}, reps(0)), std::invalid_argument);
  BootstrapSettings wide;
  wide.confidence = 1;
  EXPECT_THROW(performance_profile(kBase, {0.5}, wide), std::invalid_argument);
}

}  // namespace
}  // namespace disco
