#include "eval/achievement_report.h"

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/rng.h"
#include "envs/achievements.h"
#include "eval/eval_plan.h"
#include "io/atomic_file.h"
#include "io/gnuplot.h"
#include "io/metrics.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "achievement/";

Interval percentile_interval(std::vector<double>& values, double confidence) {
  const double tail = 50.0 * (1.0 - confidence);
  return {percentile(values, tail), percentile(values, 100.0 - tail)};
}

// Bars per achievement, one per rule, with their intervals (in percent).
void bar_chart(const std::string& png, const std::string& env,
               const std::vector<std::pair<std::string, AchievementSummary>>& rules) {
  std::ostringstream data;
  data << "$rates << EOD\n";
  const auto& names = rules.front().second.names;
  for (size_t k = 0; k < names.size(); ++k) {
    data << gnuplot_quoted(names[k]);
    for (const auto& [rule, s] : rules) {
      data << " " << 100 * s.rate[k] << " " << 100 * s.rate_ci[k].low << " "
           << 100 * s.rate_ci[k].high;
    }
    data << "\n";
  }
  data << "EOD\n";
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal(1100, 520) << "\nset output "
         << gnuplot_quoted(png) << "\nset title " << gnuplot_quoted(env)
         << "\nset ylabel \"success rate, % of episodes\"\n"
         << "set termoption noenhanced\nset grid ytics\nset yrange [0:100]\n"
         << "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
         << "set style fill solid 0.6 border -1\nset xtics rotate by -50 scale 0\n"
         << "set key outside top center horizontal\nset bmargin 9\nset lmargin 10\n"
         << data.str() << "plot ";
  for (size_t r = 0; r < rules.size(); ++r) {
    const size_t c = 2 + 3 * r;
    script << (r ? ", " : "") << "$rates using " << c << ":" << c + 1 << ":" << c + 2
           << (r ? "" : ":xtic(1)") << " title " << gnuplot_quoted(rules[r].first);
  }
  script << "\n";
  run_gnuplot(script.str(), png);
}

}  // namespace

RunAchievements run_achievements(const std::string& run_dir) {
  const MetricsTable t = read_metrics_csv((fs::path(run_dir) / "metrics.csv").string());
  const int episodes = t.column("episodes");
  if (episodes < 0) throw std::invalid_argument(run_dir + "/metrics.csv lacks episodes");
  RunAchievements out;
  std::vector<int> columns;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c].rfind(kPrefix, 0) == 0) {
      out.names.push_back(t.columns[c].substr(std::string(kPrefix).size()));
      columns.push_back(static_cast<int>(c));
    }
  }
  out.rates.assign(out.names.size(), 0.0);
  double previous = 0;
  for (const auto& row : t.rows) {
    const double ended = row[episodes] - previous;
    previous = row[episodes];
    if (!(ended > 0)) continue;
    out.episodes += ended;
    // A window's rate is unlocked / ended: weighting by `ended` sums unlocks.
    for (size_t k = 0; k < columns.size(); ++k) {
      if (std::isfinite(row[columns[k]])) out.rates[k] += row[columns[k]] * ended;
    }
  }
  for (double& r : out.rates) r = out.episodes > 0 ? r / out.episodes : std::nan("");
  return out;
}

AchievementSummary summarise_achievements(const std::vector<RunAchievements>& runs,
                                          const BootstrapSettings& settings) {
  if (runs.empty()) throw std::invalid_argument("achievements: no runs to summarise");
  if (settings.reps < 1) throw std::invalid_argument("achievements: reps must be at least 1");
  AchievementSummary s;
  s.names = runs.front().names;
  s.runs = static_cast<int>(runs.size());
  for (const auto& r : runs) {
    if (r.names != s.names || r.rates.size() != s.names.size()) {
      throw std::invalid_argument("achievements: runs name different achievements");
    }
  }
  const size_t n = runs.size(), k_count = s.names.size();
  // Rates and the score as the original's analysis takes them
  // (danijar/crafter analysis/common.py): the score per seed, both averaged.
  std::vector<double> seed_scores;
  for (const auto& r : runs) seed_scores.push_back(crafter_score(r.rates));
  auto means = [&](const std::vector<size_t>& pick, std::vector<double>* rates) {
    rates->assign(k_count, 0.0);
    double score = 0;
    for (size_t i : pick) {
      for (size_t k = 0; k < k_count; ++k) (*rates)[k] += runs[i].rates[k] / static_cast<double>(n);
      score += seed_scores[i] / static_cast<double>(n);
    }
    return score;
  };
  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = i;
  s.score = means(all, &s.rate);
  // Resamples of the seeds: the rates' and the score's percentile intervals.
  std::vector<std::vector<double>> rate_draws(k_count);
  std::vector<double> score_draws, m;
  Rng rng(settings.seed);
  std::vector<size_t> pick(n);
  for (int b = 0; b < settings.reps; ++b) {
    for (size_t i = 0; i < n; ++i) pick[i] = static_cast<size_t>(rng.uniform_int(static_cast<int>(n)));
    score_draws.push_back(means(pick, &m));
    for (size_t k = 0; k < k_count; ++k) rate_draws[k].push_back(m[k]);
  }
  for (size_t k = 0; k < k_count; ++k) {
    s.rate_ci.push_back(percentile_interval(rate_draws[k], settings.confidence));
  }
  s.score_ci = percentile_interval(score_draws, settings.confidence);
  return s;
}

std::string write_achievement_report(const std::string& dir, const nlohmann::json& plan,
                                     const BootstrapSettings& settings) {
  std::vector<std::string> rules, envs;
  for (const auto& r : plan.at("rules")) rules.push_back(r.get<std::string>());
  for (const auto& e : plan.at("envs")) envs.push_back(e.get<std::string>());
  // Runs per environment and rule, in the plan's order.
  std::map<std::string, std::vector<std::pair<std::string, std::vector<RunAchievements>>>> by_env;
  for (const EvalRun& run :
       eval_grid(rules, envs, plan.at("seeds").get<int>(), dir, plan.value("first_seed", 0))) {
    RunAchievements a = run_achievements(run.dir);
    if (a.names.empty()) continue;
    auto& list = by_env[run.env];
    const std::string label = rule_label(run.rule);
    if (list.empty() || list.back().first != label) list.push_back({label, {}});
    list.back().second.push_back(std::move(a));
  }
  if (by_env.empty()) return "";
  std::ostringstream md, jsonl;
  md << std::setprecision(3)
     << "## Achievements\n\nEach achievement's success rate: the fraction of a run's episodes "
        "(all of them, from its first frame, as Crafter reports it) that unlocked it, averaged "
        "over seeds, with a 95% percentile interval of "
     << settings.reps
     << " resamples of the seeds. Crafter score: exp(mean(log(1 + rate in %))) - 1 over the "
        "achievements, per seed, averaged over seeds (Hafner 2021; danijar/crafter's "
        "analysis).\n\n";
  for (const std::string& env : envs) {
    const auto it = by_env.find(env);
    if (it == by_env.end()) continue;
    std::vector<std::pair<std::string, AchievementSummary>> summaries;
    for (const auto& [rule, runs] : it->second) {
      summaries.push_back({rule, summarise_achievements(runs, settings)});
    }
    const std::string stem = "achievements_" + eval_folder_name(env);
    std::ostringstream csv;
    csv << "rule,achievement,rate_percent,low_percent,high_percent\n";
    md << "### " << env << "\n\n| rule | seeds | Crafter score, % [95% CI] |\n|---|---|---|\n";
    for (const auto& [rule, s] : summaries) {
      md << "| " << rule << " | " << s.runs << " | " << s.score << " [" << s.score_ci.low << ", "
         << s.score_ci.high << "] |\n";
      nlohmann::ordered_json j;
      j["env"] = env;
      j["rule"] = rule;
      j["seeds"] = s.runs;
      j["crafter_score"] = s.score;
      j["crafter_score_ci_low"] = s.score_ci.low;
      j["crafter_score_ci_high"] = s.score_ci.high;
      nlohmann::ordered_json rates = nlohmann::ordered_json::object();
      for (size_t k = 0; k < s.names.size(); ++k) {
        rates[s.names[k]] = s.rate[k];
        csv << rule << "," << s.names[k] << "," << 100 * s.rate[k] << "," << 100 * s.rate_ci[k].low
            << "," << 100 * s.rate_ci[k].high << "\n";
      }
      j["achievements"] = rates;
      jsonl << j.dump() << "\n";
    }
    md << "\n| achievement |";
    for (const auto& [rule, s] : summaries) md << " " << rule << " |";
    md << "\n|---|";
    for (size_t r = 0; r < summaries.size(); ++r) md << "---|";
    md << "\n";
    for (size_t k = 0; k < summaries.front().second.names.size(); ++k) {
      md << "| " << summaries.front().second.names[k] << " |";
      for (const auto& [rule, s] : summaries) {
        md << " " << 100 * s.rate[k] << "% [" << 100 * s.rate_ci[k].low << ", "
           << 100 * s.rate_ci[k].high << "] |";
      }
      md << "\n";
    }
    write_file_atomically((fs::path(dir) / (stem + ".csv")).string(), csv.str());
    bar_chart((fs::path(dir) / (stem + ".png")).string(), env, summaries);
    md << "\n![" << env << " achievements](" << stem << ".png)\n\n";
  }
  write_file_atomically((fs::path(dir) / "achievements.jsonl").string(), jsonl.str());
  return md.str();
}

}  // namespace disco
