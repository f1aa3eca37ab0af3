#include "eval/score_stats.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace disco {
namespace {

// Throws std::invalid_argument unless there is a task, every task has a run,
// and every score is finite (NaN would break the orderings below).
void check_scores(const TaskScores& scores, const char* what) {
  if (scores.empty()) throw std::invalid_argument(std::string(what) + ": no tasks");
  for (size_t t = 0; t < scores.size(); ++t) {
    if (scores[t].empty()) {
      throw std::invalid_argument(std::string(what) + ": task " + std::to_string(t) +
                                  " has no runs");
    }
    for (double v : scores[t]) {
      if (!std::isfinite(v)) {
        throw std::invalid_argument(std::string(what) + ": task " + std::to_string(t) +
                                    " has a score that is not finite (" + std::to_string(v) + ")");
      }
    }
  }
}

void check_settings(const BootstrapSettings& s) {
  if (s.reps < 1) {
    throw std::invalid_argument("bootstrap reps must be positive, got " + std::to_string(s.reps));
  }
  if (!(s.confidence > 0 && s.confidence < 1)) {
    throw std::invalid_argument("bootstrap confidence must lie in (0, 1), got " +
                                std::to_string(s.confidence));
  }
}

Interval percentile_interval(std::vector<double>& stats, double confidence) {
  const double tail = 100.0 * (1.0 - confidence) / 2.0;
  Interval out;
  out.low = percentile(stats, tail);
  out.high = percentile(stats, 100.0 - tail);
  return out;
}

// numpy's median of a few values; reorders them.
double median_in_place(std::vector<double>& v) {
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  const double upper = v[m];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m));
  return 0.5 * (lower + upper);
}

double sum(const std::vector<double>& v, size_t begin, size_t end) {
  double s = 0;
  for (size_t i = begin; i < end; ++i) s += v[i];
  return s;
}

double gap_sum(const std::vector<double>& v, double gamma) {
  double s = 0;
  for (double x : v) s += std::max(gamma - x, 0.0);
  return s;
}

// One task of a probability-of-improvement computation: Y's runs sorted, and
// for each run i of X how many of Y's sorted runs lie below it (below[i]) and
// at or below it (not_above[i]).
struct TaskComparison {
  int runs_x = 0, runs_y = 0;
  std::vector<int> below, not_above;
};

std::vector<TaskComparison> compare_tasks(const TaskScores& x, const TaskScores& y) {
  check_scores(x, "probability of improvement (X)");
  check_scores(y, "probability of improvement (Y)");
  if (x.size() != y.size()) {
    throw std::invalid_argument("probability of improvement: X has " + std::to_string(x.size()) +
                                " tasks but Y has " + std::to_string(y.size()));
  }
  std::vector<TaskComparison> out(x.size());
  for (size_t t = 0; t < x.size(); ++t) {
    std::vector<double> ys = y[t];
    std::sort(ys.begin(), ys.end());
    TaskComparison& c = out[t];
    c.runs_x = static_cast<int>(x[t].size());
    c.runs_y = static_cast<int>(ys.size());
    for (double v : x[t]) {
      c.below.push_back(static_cast<int>(std::lower_bound(ys.begin(), ys.end(), v) - ys.begin()));
      c.not_above.push_back(
          static_cast<int>(std::upper_bound(ys.begin(), ys.end(), v) - ys.begin()));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> all_tasks(const ScoreTable& table) {
  std::set<std::string> tasks;
  for (const auto& [rule, by_task] : table) {
    for (const auto& [task, runs] : by_task) tasks.insert(task);
  }
  return {tasks.begin(), tasks.end()};
}

TaskScores rule_scores(const ScoreTable& table, const std::string& rule,
                       const std::vector<std::string>& tasks) {
  const auto it = table.find(rule);
  if (it == table.end()) throw std::invalid_argument("no scores for rule '" + rule + "'");
  TaskScores out;
  out.reserve(tasks.size());
  for (const std::string& task : tasks) {
    const auto runs = it->second.find(task);
    if (runs == it->second.end() || runs->second.empty()) {
      throw std::invalid_argument("rule '" + rule + "' has no runs on task '" + task + "'");
    }
    out.push_back(runs->second);
  }
  return out;
}

double trimmed_mean_25(std::vector<double>& values) {
  const size_t n = values.size();
  if (n == 0) throw std::invalid_argument("interquartile mean of no values");
  const size_t cut = n / 4;  // scipy: int(0.25 * n) from each end
  const auto at = [&](size_t i) { return values.begin() + static_cast<std::ptrdiff_t>(i); };
  if (cut > 0) {
    std::nth_element(values.begin(), at(cut), values.end());
    std::nth_element(at(cut), at(n - cut), values.end());
  }
  return sum(values, cut, n - cut) / static_cast<double>(n - 2 * cut);
}

double percentile(std::vector<double>& values, double q) {
  if (values.empty()) throw std::invalid_argument("percentile of no values");
  if (!(q >= 0 && q <= 100)) {
    throw std::invalid_argument("percentile must lie in [0, 100], got " + std::to_string(q));
  }
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(lo);
  const auto at = [&](size_t i) { return values.begin() + static_cast<std::ptrdiff_t>(i); };
  std::nth_element(values.begin(), at(lo), values.end());
  const double low = values[lo];
  if (frac == 0 || lo + 1 >= values.size()) return low;
  const double high = *std::min_element(at(lo + 1), values.end());
  return low + (high - low) * frac;
}

double interquartile_mean(const TaskScores& scores) {
  check_scores(scores, "interquartile mean");
  std::vector<double> flat;
  for (const auto& runs : scores) flat.insert(flat.end(), runs.begin(), runs.end());
  return trimmed_mean_25(flat);
}

double mean_of_task_means(const TaskScores& scores) {
  check_scores(scores, "mean");
  double total = 0;
  for (const auto& runs : scores) {
    total += sum(runs, 0, runs.size()) / static_cast<double>(runs.size());
  }
  return total / static_cast<double>(scores.size());
}

double median_of_task_means(const TaskScores& scores) {
  check_scores(scores, "median");
  std::vector<double> means;
  for (const auto& runs : scores) {
    means.push_back(sum(runs, 0, runs.size()) / static_cast<double>(runs.size()));
  }
  return median_in_place(means);
}

double optimality_gap(const TaskScores& scores, double gamma) {
  check_scores(scores, "optimality gap");
  double total = 0;
  size_t n = 0;
  for (const auto& runs : scores) {
    total += gap_sum(runs, gamma);
    n += runs.size();
  }
  return total / static_cast<double>(n);
}

AggregateMetrics aggregate_metrics(const TaskScores& scores, double gamma) {
  AggregateMetrics m;
  m.iqm = interquartile_mean(scores);
  m.mean = mean_of_task_means(scores);
  m.median = median_of_task_means(scores);
  m.optimality_gap = optimality_gap(scores, gamma);
  return m;
}

StratifiedResampler::StratifiedResampler(const TaskScores& scores) {
  check_scores(scores, "stratified bootstrap");
  offsets_.push_back(0);
  for (const auto& runs : scores) {
    flat_.insert(flat_.end(), runs.begin(), runs.end());
    offsets_.push_back(flat_.size());
  }
}

void StratifiedResampler::resample(Rng& rng, std::vector<double>* out) const {
  out->resize(flat_.size());
  double* dst = out->data();
  const double* src = flat_.data();
  for (size_t t = 0; t + 1 < offsets_.size(); ++t) {
    const size_t begin = offsets_[t];
    const int n = static_cast<int>(offsets_[t + 1] - begin);
    for (int i = 0; i < n; ++i) dst[begin + i] = src[begin + rng.uniform_int(n)];
  }
}

AggregateIntervals aggregate_intervals(const TaskScores& scores, const BootstrapSettings& settings,
                                       double gamma) {
  check_settings(settings);
  const StratifiedResampler resampler(scores);
  const int num_tasks = resampler.num_tasks();
  const double total_runs = static_cast<double>(resampler.original().size());
  Rng rng(settings.seed);
  std::vector<double> sample, task_means(num_tasks);
  std::vector<double> iqm(settings.reps), mean(settings.reps), median(settings.reps),
      gap(settings.reps);
  for (int r = 0; r < settings.reps; ++r) {
    resampler.resample(rng, &sample);
    double mean_sum = 0;
    for (int t = 0; t < num_tasks; ++t) {
      const size_t begin = resampler.offset(t), end = resampler.offset(t + 1);
      task_means[t] = sum(sample, begin, end) / static_cast<double>(end - begin);
      mean_sum += task_means[t];
    }
    mean[r] = mean_sum / num_tasks;
    median[r] = median_in_place(task_means);
    gap[r] = gap_sum(sample, gamma) / total_runs;
    iqm[r] = trimmed_mean_25(sample);  // last: it reorders the sample
  }
  AggregateIntervals out;
  out.iqm = percentile_interval(iqm, settings.confidence);
  out.mean = percentile_interval(mean, settings.confidence);
  out.median = percentile_interval(median, settings.confidence);
  out.optimality_gap = percentile_interval(gap, settings.confidence);
  return out;
}

double probability_of_improvement(const TaskScores& x, const TaskScores& y) {
  const std::vector<TaskComparison> tasks = compare_tasks(x, y);
  double total = 0;
  for (const TaskComparison& c : tasks) {
    double wins = 0;  // pairs with X above Y, ties counting half
    for (int i = 0; i < c.runs_x; ++i) wins += c.below[i] + 0.5 * (c.not_above[i] - c.below[i]);
    total += wins / (static_cast<double>(c.runs_x) * c.runs_y);
  }
  return total / static_cast<double>(tasks.size());
}

Interval probability_of_improvement_interval(const TaskScores& x, const TaskScores& y,
                                             const BootstrapSettings& settings) {
  check_settings(settings);
  const std::vector<TaskComparison> tasks = compare_tasks(x, y);
  int max_runs_y = 0;
  for (const TaskComparison& c : tasks) max_runs_y = std::max(max_runs_y, c.runs_y);
  // below_count[k]: how many of the resampled Y runs are among Y's k lowest.
  std::vector<int> below_count(max_runs_y + 1);
  std::vector<double> stats(settings.reps);
  Rng rng(settings.seed);
  for (int r = 0; r < settings.reps; ++r) {
    double total = 0;
    for (const TaskComparison& c : tasks) {
      // Resample Y (a uniform draw of a run is a uniform draw of a sorted position).
      std::fill(below_count.begin(), below_count.begin() + c.runs_y + 1, 0);
      for (int j = 0; j < c.runs_y; ++j) ++below_count[rng.uniform_int(c.runs_y) + 1];
      for (int k = 1; k <= c.runs_y; ++k) below_count[k] += below_count[k - 1];
      // Resample X independently and count its pairs with the resampled Y.
      double wins = 0;
      for (int i = 0; i < c.runs_x; ++i) {
        const int run = rng.uniform_int(c.runs_x);
        const int lower = below_count[c.below[run]], not_above = below_count[c.not_above[run]];
        wins += lower + 0.5 * (not_above - lower);
      }
      total += wins / (static_cast<double>(c.runs_x) * c.runs_y);
    }
    stats[r] = total / static_cast<double>(tasks.size());
  }
  return percentile_interval(stats, settings.confidence);
}

}  // namespace disco
