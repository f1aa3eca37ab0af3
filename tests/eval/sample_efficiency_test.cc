// The sample-efficiency curve: the aggregate IQM at each checkpoint of frames
// with its stratified-bootstrap interval (src/eval/sample_efficiency.h),
// against hand-computed numbers.
#include "eval/sample_efficiency.h"

#include <gtest/gtest.h>

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

// One rule, two tasks x three seeds, at three checkpoints.
TEST(SampleEfficiency, IqmOfAllRunsAtEachCheckpoint) {
  const std::vector<TaskScores> scores = {
      // 100 frames: all six sorted 0 0 0.1 0.2 0.3 0.4; int(6/4) = 1 dropped
      // from each end: (0 + 0.1 + 0.2 + 0.3) / 4 = 0.15.
      {{0, 0, 0.3}, {0.1, 0.2, 0.4}},
      // 200 frames: 0.2 0.5 0.6 0.7 0.9 1.0 -> (0.5 + 0.6 + 0.7 + 0.9) / 4 = 0.675.
      {{0.5, 0.6, 0.7}, {0.2, 0.9, 1.0}},
      // 300 frames: every run at 1 -> 1, and every resample too: [1, 1].
      {{1, 1, 1}, {1, 1, 1}},
  };
  const std::vector<CurvePoint> curve =
      sample_efficiency_curve({100, 200, 300}, scores, reps(2000));
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_EQ(curve[0].frames, 100);
  EXPECT_EQ(curve[2].frames, 300);
  EXPECT_DOUBLE_EQ(curve[0].iqm, 0.15);
  EXPECT_DOUBLE_EQ(curve[1].iqm, 0.675);
  EXPECT_DOUBLE_EQ(curve[2].iqm, 1.0);
  EXPECT_DOUBLE_EQ(curve[2].ci.low, 1.0);
  EXPECT_DOUBLE_EQ(curve[2].ci.high, 1.0);
  for (const CurvePoint& p : curve) {
    EXPECT_LE(p.ci.low, p.iqm);
    EXPECT_GE(p.ci.high, p.iqm);
  }
}

TEST(SampleEfficiency, IntervalIsZeroWideWhenEachTasksSeedsAgree) {
  // {0.4 x3} and {0.8 x3}: sorted 0.4 0.4 0.4 0.8 0.8 0.8, one dropped from
  // each end: (0.4 + 0.4 + 0.8 + 0.8) / 4 = 0.6. Each task resamples to itself
  // (stratified), so every resample's IQM is 0.6.
  const std::vector<CurvePoint> curve =
      sample_efficiency_curve({10}, {{{0.4, 0.4, 0.4}, {0.8, 0.8, 0.8}}}, reps(2000, 5));
  EXPECT_DOUBLE_EQ(curve[0].iqm, 0.6);
  EXPECT_DOUBLE_EQ(curve[0].ci.low, 0.6);
  EXPECT_DOUBLE_EQ(curve[0].ci.high, 0.6);
}

TEST(SampleEfficiency, IntervalOfTwoRunsSpansTheirRange) {
  // One task, runs {0, 1}: two runs drop none (int(2/4) = 0), so the IQM is
  // the mean, 0.5; a resample's mean is 0 (probability 1/4), 0.5 (1/2) or 1
  // (1/4), and with 2000 resamples the 2.5th and 97.5th percentiles are 0 and 1.
  const std::vector<CurvePoint> curve = sample_efficiency_curve({10}, {{{0, 1}}}, reps(2000, 9));
  EXPECT_DOUBLE_EQ(curve[0].iqm, 0.5);
  EXPECT_DOUBLE_EQ(curve[0].ci.low, 0);
  EXPECT_DOUBLE_EQ(curve[0].ci.high, 1);
}

// The first checkpoint draws from a fresh Rng(seed) exactly as
// aggregate_intervals does, so its interval is aggregate_intervals' IQM
// interval; later checkpoints continue the stream (their own resamples).
TEST(SampleEfficiency, FirstCheckpointMatchesTheAggregateIqmInterval) {
  const TaskScores first = {{0.1, 0.4, 0.45, 0.9, 0.2}, {-0.2, 0.3, 1.3, 0.8}};
  const TaskScores second = {{0.3, 0.5, 0.55, 1.0, 0.4}, {0.1, 0.6, 1.4, 0.9}};
  const BootstrapSettings settings = reps(3000, 4);
  const std::vector<CurvePoint> curve = sample_efficiency_curve({5, 10}, {first, second}, settings);
  const Interval expected = aggregate_intervals(first, settings).iqm;
  EXPECT_DOUBLE_EQ(curve[0].ci.low, expected.low);
  EXPECT_DOUBLE_EQ(curve[0].ci.high, expected.high);
  EXPECT_DOUBLE_EQ(curve[1].iqm, interquartile_mean(second));
  // Deterministic given the seed.
  const std::vector<CurvePoint> again = sample_efficiency_curve({5, 10}, {first, second}, settings);
  EXPECT_EQ(again[1].ci.low, curve[1].ci.low);
  EXPECT_EQ(again[1].ci.high, curve[1].ci.high);
}

TEST(SampleEfficiency, BadInputsThrow) {
  const TaskScores s = {{0.1, 0.2}};
  EXPECT_THROW(sample_efficiency_curve({}, {}), std::invalid_argument);
  EXPECT_THROW(sample_efficiency_curve({1, 2}, {s}), std::invalid_argument);
  EXPECT_THROW(sample_efficiency_curve({2, 2}, {s, s}), std::invalid_argument);
  EXPECT_THROW(sample_efficiency_curve({3, 2}, {s, s}), std::invalid_argument);
  EXPECT_THROW(sample_efficiency_curve({1, 2}, {s, {{0.1}, {}}}), std::invalid_argument);
  EXPECT_THROW(sample_efficiency_curve({1}, {s}, reps(0)), std::invalid_argument);
}

}  // namespace
}  // namespace disco
