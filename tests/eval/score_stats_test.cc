// rliable's aggregate metrics, stratified bootstrap and probability of
// improvement (src/eval/score_stats.h) against hand-computed numbers.
#include "eval/score_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace disco {
namespace {

// Scores of `tasks` tasks x `runs` runs: task t centred on t / tasks, noise in [-0.5, 0.5).
TaskScores noisy_scores(int tasks, int runs, uint64_t seed) {
  Rng rng(seed);
  TaskScores s(tasks);
  for (int t = 0; t < tasks; ++t) {
    for (int r = 0; r < runs; ++r) {
      s[t].push_back(static_cast<double>(t) / tasks + rng.uniform() - 0.5);
    }
  }
  return s;
}

BootstrapSettings reps(int n, uint64_t seed = 0) {
  BootstrapSettings s;
  s.reps = n;
  s.seed = seed;
  return s;
}

TEST(TrimmedMean, EightValuesDropTwoFromEachEnd) {
  std::vector<double> v = {100, 1, 2, 3, 4, 5, 6, -50};
  EXPECT_DOUBLE_EQ(trimmed_mean_25(v), (2 + 3 + 4 + 5) / 4.0);
}

TEST(TrimmedMean, CutIsTruncatedLikeScipy) {
  // n = 7: int(1.75) = 1 from each end (rounding would drop 2 and give 5).
  std::vector<double> seven = {100, 0, 20, 1, 10, 2, 3};
  EXPECT_DOUBLE_EQ(trimmed_mean_25(seven), (1 + 2 + 3 + 10 + 20) / 5.0);
  // n = 5: int(1.25) = 1.
  std::vector<double> five = {1000, 2, -100, 6, 1};
  EXPECT_DOUBLE_EQ(trimmed_mean_25(five), 3.0);
  // n = 3: int(0.75) = 0, the plain mean.
  std::vector<double> three = {0, 9, 0};
  EXPECT_DOUBLE_EQ(trimmed_mean_25(three), 3.0);
  std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(trimmed_mean_25(one), 7.0);
}

TEST(Metrics, IqmPoolsRunsOfAllTasks) {
  // Sorted: 0 1 2 3 10 100; n = 6 drops one from each end.
  EXPECT_DOUBLE_EQ(interquartile_mean({{0, 10}, {1, 2}, {3, 100}}), 4.0);
}

TEST(Metrics, MeanAndMedianAreOverTaskMeans) {
  // Task means 0.25 and 1 (the mean of all five scores would be 0.4).
  EXPECT_DOUBLE_EQ(mean_of_task_means({{0, 0, 0, 1}, {1}}), 0.625);
  // Task means 5, 4, 5 (the median of all four scores would be 4.5).
  EXPECT_DOUBLE_EQ(median_of_task_means({{0, 10}, {4}, {5}}), 5.0);
  // Even number of tasks: the middle two averaged, as numpy.
  EXPECT_DOUBLE_EQ(median_of_task_means({{0}, {7}, {1}, {5}}), 3.0);
}

TEST(Metrics, OptimalityGapIsMeanShortfallBelowOne) {
  // max(1 - x, 0): 0.5, 0, 2, 0.
  EXPECT_DOUBLE_EQ(optimality_gap({{0.5, 1.5}, {-1, 1}}), 0.625);
  EXPECT_DOUBLE_EQ(optimality_gap({{0.5, 1.5}, {-1, 1}}, /*gamma=*/2.0), (1.5 + 0.5 + 3 + 1) / 4);
  const AggregateMetrics m = aggregate_metrics({{0.5, 1.5}, {-1, 1}});
  EXPECT_DOUBLE_EQ(m.optimality_gap, 0.625);
  EXPECT_DOUBLE_EQ(m.mean, 0.5);
}

TEST(Metrics, RejectMissingOrNonFiniteScores) {
  EXPECT_THROW(interquartile_mean({}), std::invalid_argument);
  EXPECT_THROW(mean_of_task_means({{1}, {}}), std::invalid_argument);
  EXPECT_THROW(optimality_gap({{1, std::nan("")}}), std::invalid_argument);
  EXPECT_THROW(aggregate_intervals({{1, std::numeric_limits<double>::infinity()}}),
               std::invalid_argument);
}

TEST(Percentile, InterpolatesLinearlyLikeNumpy) {
  std::vector<double> v = {5, 3, 1, 4, 2};
  EXPECT_DOUBLE_EQ(percentile(v, 2.5), 1.1);   // position 0.1
  EXPECT_DOUBLE_EQ(percentile(v, 97.5), 4.9);  // position 3.9
  EXPECT_DOUBLE_EQ(percentile(v, 50), 3.0);
  EXPECT_DOUBLE_EQ(percentile(v, 0), 1.0);
  EXPECT_DOUBLE_EQ(percentile(v, 100), 5.0);
}

TEST(StratifiedResampler, EachTaskKeepsItsRunCountAndDrawsOnlyItsOwnRuns) {
  const TaskScores scores = {{1, 2}, {10, 20, 30, 40, 50}, {100}};
  const StratifiedResampler resampler(scores);
  ASSERT_EQ(resampler.num_tasks(), 3);
  EXPECT_EQ(resampler.offset(0), 0u);
  EXPECT_EQ(resampler.offset(1), 2u);
  EXPECT_EQ(resampler.offset(2), 7u);
  EXPECT_EQ(resampler.offset(3), 8u);
  Rng rng(1);
  std::vector<double> sample;
  std::vector<int> drawn(5, 0);  // how often each run of task 1 was drawn
  for (int r = 0; r < 4000; ++r) {
    resampler.resample(rng, &sample);
    ASSERT_EQ(sample.size(), 8u);
    for (int t = 0; t < 3; ++t) {
      for (size_t i = resampler.offset(t); i < resampler.offset(t + 1); ++i) {
        const auto& own = scores[t];
        ASSERT_NE(std::find(own.begin(), own.end(), sample[i]), own.end())
            << "task " << t << " drew " << sample[i];
        if (t == 1) ++drawn[static_cast<int>(sample[i]) / 10 - 1];
      }
    }
  }
  // With replacement and uniform: each of the 5 runs about 4000 times of 20000.
  for (int n : drawn) EXPECT_NEAR(n, 4000, 300);
}

TEST(Bootstrap, StratificationMakesWithinTaskConstantScoresExact) {
  // Two runs of 0 on one task, eight of 1 on the other. Every stratified
  // resample is the same multiset, so each interval is a single point; a
  // bootstrap over all ten runs together would vary the number of zeros
  // (the mean of all runs would span about 0.0 to 0.5).
  const TaskScores scores = {{0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}};
  const AggregateMetrics m = aggregate_metrics(scores);
  const AggregateIntervals ci = aggregate_intervals(scores, reps(2000));
  EXPECT_DOUBLE_EQ(m.mean, 0.5);
  EXPECT_DOUBLE_EQ(ci.mean.low, 0.5);
  EXPECT_DOUBLE_EQ(ci.mean.high, 0.5);
  EXPECT_DOUBLE_EQ(m.iqm, 1.0);
  EXPECT_DOUBLE_EQ(ci.iqm.low, 1.0);
  EXPECT_DOUBLE_EQ(ci.iqm.high, 1.0);
  EXPECT_DOUBLE_EQ(ci.optimality_gap.low, 0.2);
  EXPECT_DOUBLE_EQ(ci.optimality_gap.high, 0.2);
  EXPECT_DOUBLE_EQ(ci.median.low, 0.5);
  EXPECT_DOUBLE_EQ(ci.median.high, 0.5);
}

TEST(Bootstrap, IntervalsContainThePointEstimates) {
  const TaskScores scores = noisy_scores(10, 10, 7);
  const AggregateMetrics m = aggregate_metrics(scores);
  const AggregateIntervals ci = aggregate_intervals(scores, reps(2000));
  const auto contains = [](const Interval& i, double x) { return i.low < x && x < i.high; };
  EXPECT_TRUE(contains(ci.iqm, m.iqm)) << ci.iqm.low << " " << m.iqm << " " << ci.iqm.high;
  EXPECT_TRUE(contains(ci.mean, m.mean));
  EXPECT_TRUE(contains(ci.median, m.median));
  EXPECT_TRUE(contains(ci.optimality_gap, m.optimality_gap));
}

TEST(Bootstrap, IntervalsNarrowWithMoreRuns) {
  const AggregateIntervals few = aggregate_intervals(noisy_scores(5, 5, 3), reps(2000));
  const AggregateIntervals many = aggregate_intervals(noisy_scores(5, 80, 3), reps(2000));
  const auto width = [](const Interval& i) { return i.high - i.low; };
  // Width shrinks about as 1 / sqrt(runs): a factor of 4 here.
  EXPECT_LT(width(many.iqm), 0.5 * width(few.iqm));
  EXPECT_LT(width(many.mean), 0.5 * width(few.mean));
  EXPECT_GT(width(many.iqm), 0.0);
}

TEST(Bootstrap, SameSeedSameIntervalOtherSeedAnother) {
  const TaskScores scores = noisy_scores(4, 6, 11);
  const AggregateIntervals a = aggregate_intervals(scores, reps(1000, 5));
  const AggregateIntervals b = aggregate_intervals(scores, reps(1000, 5));
  const AggregateIntervals c = aggregate_intervals(scores, reps(1000, 6));
  EXPECT_EQ(a.iqm.low, b.iqm.low);
  EXPECT_EQ(a.iqm.high, b.iqm.high);
  EXPECT_EQ(a.median.low, b.median.low);
  EXPECT_TRUE(a.iqm.low != c.iqm.low || a.iqm.high != c.iqm.high);
  EXPECT_TRUE(a.mean.low != c.mean.low || a.mean.high != c.mean.high);
}

TEST(Bootstrap, RejectsBadSettings) {
  const TaskScores scores = {{1, 2}};
  EXPECT_THROW(aggregate_intervals(scores, reps(0)), std::invalid_argument);
  EXPECT_THROW(aggregate_intervals(scores, reps(-3)), std::invalid_argument);
  BootstrapSettings s;
  s.confidence = 1.0;
  EXPECT_THROW(aggregate_intervals(scores, s), std::invalid_argument);
  EXPECT_THROW(probability_of_improvement_interval(scores, scores, reps(0)), std::invalid_argument);
}

TEST(ProbabilityOfImprovement, HandComputedWithTiesCountingHalf) {
  // Task 0: X = {1, 2, 3} against Y = {0, 2}: 1 beats 0; 2 beats 0 and ties 2;
  // 3 beats both: (1 + 1.5 + 2) / 6 = 0.75. Task 1: one tie, 0.5.
  const TaskScores x = {{1, 2, 3}, {5}};
  const TaskScores y = {{0, 2}, {5}};
  EXPECT_DOUBLE_EQ(probability_of_improvement(x, y), (0.75 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(probability_of_improvement(y, x), 1 - (0.75 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(probability_of_improvement(x, x), 0.5);
}

TEST(ProbabilityOfImprovement, RejectsDifferentTasks) {
  EXPECT_THROW(probability_of_improvement({{1}, {2}}, {{1}}), std::invalid_argument);
  EXPECT_THROW(probability_of_improvement({{1}, {}}, {{1}, {2}}), std::invalid_argument);
}

TEST(ProbabilityOfImprovement, IntervalIsDeterministicAndContainsTheEstimate) {
  const TaskScores x = noisy_scores(5, 8, 1);
  TaskScores y = noisy_scores(5, 6, 2);
  for (auto& runs : y) {
    for (double& v : runs) v -= 0.2;
  }
  const double p = probability_of_improvement(x, y);
  const Interval a = probability_of_improvement_interval(x, y, reps(2000, 3));
  const Interval b = probability_of_improvement_interval(x, y, reps(2000, 3));
  const Interval c = probability_of_improvement_interval(x, y, reps(2000, 4));
  EXPECT_GT(p, 0.5);
  EXPECT_LT(a.low, p);
  EXPECT_GT(a.high, p);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_TRUE(a.low != c.low || a.high != c.high);
}

TEST(ProbabilityOfImprovement, IntervalOfResamplesCountsPairsCorrectly) {
  // Every run of X beats every run of Y on one task and ties on the other:
  // every resample gives exactly (1 + 0.5) / 2.
  const TaskScores x = {{5, 6, 7}, {1, 1}};
  const TaskScores y = {{1, 2, 3, 4}, {1, 1, 1}};
  const Interval ci = probability_of_improvement_interval(x, y, reps(500));
  EXPECT_DOUBLE_EQ(ci.low, 0.75);
  EXPECT_DOUBLE_EQ(ci.high, 0.75);
  // Y = {0, 2} against X = {1}: a resample of Y has k copies of 0 (of 2 draws),
  // so the task's probability is k / 2 and is 0, 0.5 or 1 with chances 1/4, 1/2, 1/4.
  const Interval spread = probability_of_improvement_interval({{1}}, {{0, 2}}, reps(4000));
  EXPECT_DOUBLE_EQ(spread.low, 0.0);
  EXPECT_DOUBLE_EQ(spread.high, 1.0);
}

TEST(ScoreTable, RuleScoresFollowTheTaskListAndNameAMissingTask) {
  ScoreTable table;
  table["a"]["t1"] = {1, 2};
  table["a"]["t2"] = {3};
  table["b"]["t2"] = {4};
  const std::vector<std::string> tasks = all_tasks(table);
  ASSERT_EQ(tasks, (std::vector<std::string>{"t1", "t2"}));
  const TaskScores a = rule_scores(table, "a", {"t2", "t1"});
  EXPECT_EQ(a, (TaskScores{{3}, {1, 2}}));
  try {
    rule_scores(table, "b", tasks);
    FAIL() << "expected a missing task";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("rule 'b' has no runs on task 't1'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace disco
