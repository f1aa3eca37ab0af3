#include "eval/score_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "eval/performance_profile.h"
#include "eval/sample_efficiency.h"

namespace disco {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order written

void put(Json& j, const std::string& name, double point, const Interval& ci) {
  j[name] = point;
  j[name + "_ci_low"] = ci.low;
  j[name + "_ci_high"] = ci.high;
}

std::string with_interval(const Json& j, const std::string& name) {
  char text[96];
  std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f]", j.at(name).get<double>(),
                j.at(name + "_ci_low").get<double>(), j.at(name + "_ci_high").get<double>());
  return text;
}

}  // namespace

std::vector<Json> score_report(const ScoreTable& table, const BootstrapSettings& settings,
                               const std::string& source, const std::vector<double>& profile_taus) {
  const std::vector<std::string> tasks = all_tasks(table);
  std::vector<std::string> rules;
  std::vector<TaskScores> scores;
  for (const auto& [rule, by_task] : table) {
    rules.push_back(rule);
    try {
      scores.push_back(rule_scores(table, rule, tasks));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(source + ": " + e.what() +
                                  " (every rule needs runs on every task in the table)");
    }
  }
  const std::vector<double> taus = profile_taus.empty() ? profile_thresholds(scores) : profile_taus;
  std::vector<Json> out;
  for (size_t r = 0; r < rules.size(); ++r) {
    const AggregateMetrics m = aggregate_metrics(scores[r]);
    const AggregateIntervals ci = aggregate_intervals(scores[r], settings);
    size_t runs = scores[r].front().size();
    for (const auto& task_runs : scores[r]) runs = std::min(runs, task_runs.size());
    Json j;
    j["rule"] = rules[r];
    put(j, "iqm", m.iqm, ci.iqm);
    put(j, "mean", m.mean, ci.mean);
    put(j, "median", m.median, ci.median);
    put(j, "optimality_gap", m.optimality_gap, ci.optimality_gap);
    j["runs"] = runs;
    j["tasks"] = tasks.size();
    const PerformanceProfile profile = performance_profile(scores[r], taus, settings);
    Json& p = j["performance_profile"];
    p["tau"] = profile.taus;
    p["fraction"] = profile.fraction;
    for (const Interval& band : profile.ci) {
      p["ci_low"].push_back(band.low);
      p["ci_high"].push_back(band.high);
    }
    out.push_back(j);
  }
  // P(Y > X) = 1 - P(X > Y) on every resample, so each unordered pair is
  // bootstrapped once and the reverse interval mirrored.
  const size_t n = rules.size();
  std::vector<std::vector<Interval>> poi_ci(n, std::vector<Interval>(n));
  for (size_t x = 0; x < n; ++x) {
    for (size_t y = x + 1; y < n; ++y) {
      poi_ci[x][y] = probability_of_improvement_interval(scores[x], scores[y], settings);
      poi_ci[y][x] = Interval{1.0 - poi_ci[x][y].high, 1.0 - poi_ci[x][y].low};
    }
  }
  for (size_t x = 0; x < n; ++x) {
    for (size_t y = 0; y < n; ++y) {
      if (x == y) continue;
      Json j;
      j["rule_x"] = rules[x];
      j["rule_y"] = rules[y];
      put(j, "probability_of_improvement", probability_of_improvement(scores[x], scores[y]),
          poi_ci[x][y]);
      out.push_back(j);
    }
  }
  return out;
}

void add_sample_efficiency(std::vector<Json>* report, const CurveTable& curves,
                           const BootstrapSettings& settings, const std::string& source) {
  std::vector<std::string> tasks;  // every task of every checkpoint, sorted
  {
    ScoreTable all;
    for (const auto& [frames, table] : curves) {
      for (const auto& [rule, by_task] : table) {
        for (const auto& [task, runs] : by_task) all[rule][task];
      }
    }
    tasks = all_tasks(all);
  }
  std::vector<std::string> report_rules;
  for (const Json& j : *report) {
    if (j.contains("rule")) report_rules.push_back(j.at("rule").get<std::string>());
  }
  for (const auto& [frames, table] : curves) {
    for (const auto& [rule, by_task] : table) {
      if (std::find(report_rules.begin(), report_rules.end(), rule) == report_rules.end()) {
        throw std::invalid_argument(source + ": rule '" + rule +
                                    "' has a curve but no final scores");
      }
    }
  }
  for (Json& j : *report) {
    if (!j.contains("rule")) continue;
    const std::string rule = j.at("rule").get<std::string>();
    std::vector<int64_t> frames;
    std::vector<TaskScores> scores;
    for (const auto& [at, table] : curves) {
      if (table.count(rule) == 0) continue;
      try {
        scores.push_back(rule_scores(table, rule, tasks));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(source + " at " + std::to_string(at) + " frames: " + e.what() +
                                    " (every checkpoint of a rule needs runs on every task)");
      }
      frames.push_back(at);
    }
    if (frames.empty()) throw std::invalid_argument(source + ": no curve for rule '" + rule + "'");
    Json& s = j["sample_efficiency"];
    for (const CurvePoint& p : sample_efficiency_curve(frames, scores, settings)) {
      s["frames"].push_back(p.frames);
      s["iqm"].push_back(p.iqm);
      s["ci_low"].push_back(p.ci.low);
      s["ci_high"].push_back(p.ci.high);
    }
  }
}

std::string score_report_markdown(const std::vector<Json>& report) {
  std::ostringstream md;
  md << "| rule | IQM [95% CI] | mean | median | optimality gap | runs x tasks |\n"
     << "|---|---|---|---|---|---|\n";
  for (const Json& j : report) {
    if (!j.contains("rule")) continue;
    md << "| " << j.at("rule").get<std::string>() << " | " << with_interval(j, "iqm") << " | "
       << with_interval(j, "mean") << " | " << with_interval(j, "median") << " | "
       << with_interval(j, "optimality_gap") << " | " << j.at("runs").get<size_t>() << " x "
       << j.at("tasks").get<size_t>() << " |\n";
  }
  bool pairs = false;
  for (const Json& j : report) {
    if (!j.contains("rule_x")) continue;
    if (!pairs) {
      md << "\n| X | Y | P(X > Y) [95% CI] |\n|---|---|---|\n";
      pairs = true;
    }
    md << "| " << j.at("rule_x").get<std::string>() << " | " << j.at("rule_y").get<std::string>()
       << " | " << with_interval(j, "probability_of_improvement") << " |\n";
  }
  return md.str();
}

}  // namespace disco
