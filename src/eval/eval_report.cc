#include "eval/eval_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "eval/achievement_report.h"
#include "eval/eval_plan.h"
#include "eval/reference_scores.h"
#include "eval/score_report.h"
#include "eval/score_table.h"
#include "io/atomic_file.h"
#include "io/config.h"
#include "io/gnuplot.h"
#include "io/metrics.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

constexpr int kWindows = 40;

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A run's average return in each of kWindows windows of [0, frames]: the
// episode-weighted mean of its logged rows that end in the window; a window
// without episodes holds the previous value (NaN before the first).
std::vector<double> windowed_returns(const std::string& run_dir, double frames) {
  const MetricsTable t = read_metrics_csv((fs::path(run_dir) / "metrics.csv").string());
  const int x = t.column("env_steps"), episodes = t.column("episodes"), ret = t.column("avg_return");
  if (x < 0 || episodes < 0 || ret < 0) {
    throw std::invalid_argument(run_dir + "/metrics.csv lacks env_steps, episodes or avg_return");
  }
  std::vector<double> sum(kWindows, 0), count(kWindows, 0);
  double previous = 0;
  for (const auto& row : t.rows) {
    const double ended = row[episodes] - previous;
    previous = row[episodes];
    if (!(ended > 0) || !std::isfinite(row[ret])) continue;
    const int w = std::min(kWindows - 1, std::max(0, static_cast<int>(std::ceil(row[x] / frames * kWindows)) - 1));
    sum[w] += row[ret] * ended;
    count[w] += ended;
  }
  std::vector<double> out(kWindows, std::numeric_limits<double>::quiet_NaN());
  for (int w = 0; w < kWindows; ++w) {
    out[w] = count[w] > 0 ? sum[w] / count[w] : (w > 0 ? out[w - 1] : out[w]);
  }
  return out;
}

// windows[rule][env][k]: the kWindows windowed returns of seed first_seed + k.
using RunWindows = std::map<std::string, std::map<std::string, std::vector<std::vector<double>>>>;

RunWindows load_windows(const std::string& dir, const nlohmann::json& plan) {
  const double frames = plan.at("frames").get<double>();
  std::vector<std::string> rules, envs;
  for (const auto& r : plan.at("rules")) rules.push_back(r.get<std::string>());
  for (const auto& e : plan.at("envs")) envs.push_back(e.get<std::string>());
  RunWindows out;
  for (const EvalRun& run :
       eval_grid(rules, envs, plan.at("seeds").get<int>(), dir, plan.value("first_seed", 0))) {
    out[run.rule][run.env].push_back(windowed_returns(run.dir, frames));
  }
  return out;
}

// The frames at which window w ends, rounded to a whole frame.
int64_t window_end(double frames, int w) { return std::llround(frames * (w + 1) / kWindows); }

std::string learning_curves_png(const std::string& dir, const nlohmann::json& plan,
                                const RunWindows& windows, const std::string& env,
                                const BootstrapSettings& settings) {
  const double frames = plan.at("frames").get<double>();
  const std::string file = "curves_" + eval_folder_name(env) + ".png";
  std::ostringstream data, plots;
  int curve = 0;
  for (const auto& rule : plan.at("rules")) {
    const std::vector<std::vector<double>>& runs = windows.at(rule.get<std::string>()).at(env);
    data << "$rule" << curve << " << EOD\n";
    for (int w = 0; w < kWindows; ++w) {
      std::vector<double> values;
      for (const auto& r : runs) {
        if (std::isfinite(r[w])) values.push_back(r[w]);
      }
      if (values.empty()) continue;
      const TaskScores one_task = {values};
      const Interval ci = aggregate_intervals(one_task, settings).mean;
      data << frames * (w + 1) / kWindows << " " << mean_of_task_means(one_task) << " " << ci.low
           << " " << ci.high << "\n";
    }
    data << "EOD\n";
    const int colour = curve + 1;
    plots << (curve ? ", " : "plot ") << "$rule" << curve
          << " using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc " << colour
          << " notitle, $rule" << curve << " using 1:2 with lines lw 2 lc " << colour << " title "
          << gnuplot_quoted(rule_label(rule.get<std::string>()));
    ++curve;
  }
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal() << "\nset output "
         << gnuplot_quoted((fs::path(dir) / file).string()) << "\nset title "
         << gnuplot_quoted(env) << "\nset termoption noenhanced\nset xlabel \"environment frames\"\n"
         << "set ylabel \"average return (mean over seeds, 95% interval)\"\nset grid\n"
         << "set key bottom right noenhanced\n"
         << data.str() << plots.str() << "\n";
  run_gnuplot(script.str(), file);
  return file;
}

// Every run's windowed return (raw) at the end of each window at which all
// runs of its rule have one (before a run's first episode ends it has none),
// keyed as scores.csv keys runs: rule label, environment, seed. Windows that
// round to the same frame keep the last.
CurveTable run_curves(const nlohmann::json& plan, const RunWindows& windows) {
  const double frames = plan.at("frames").get<double>();
  CurveTable out;
  for (const auto& [rule, by_env] : windows) {
    for (int w = 0; w < kWindows; ++w) {
      if (w + 1 < kWindows && window_end(frames, w) == window_end(frames, w + 1)) continue;
      bool complete = true;
      for (const auto& [env, runs] : by_env) {
        for (const auto& r : runs) complete = complete && std::isfinite(r[w]);
      }
      if (!complete) continue;
      ScoreTable& at = out[window_end(frames, w)];
      for (const auto& [env, runs] : by_env) {
        for (const auto& r : runs) at[rule_label(rule)][env].push_back(r[w]);
      }
    }
  }
  return out;
}

std::string curve_csv(const CurveTable& curves, int first_seed) {
  std::ostringstream csv;
  csv << std::setprecision(17) << "rule,task,seed,frames,score\n";
  for (const auto& [frames, table] : curves) {
    for (const auto& [rule, by_task] : table) {
      for (const auto& [task, runs] : by_task) {
        for (size_t k = 0; k < runs.size(); ++k) {
          csv << rule << ",\"" << task << "\"," << first_seed + static_cast<int>(k) << "," << frames
              << "," << runs[k] << "\n";
        }
      }
    }
  }
  return csv.str();
}

// One gnuplot data block per rule of `report` from its object `key` (columns
// x, y, low, high), and the plot command drawing each as a line in a band.
std::string curve_plots(const std::vector<nlohmann::ordered_json>& report, const std::string& key,
                        const std::string& x, const std::string& y) {
  std::ostringstream data, plots;
  data << std::setprecision(10);
  int curve = 0;
  for (const auto& j : report) {
    if (!j.contains("rule") || !j.contains(key)) continue;
    const auto& c = j.at(key);
    data << "$" << key << curve << " << EOD\n";
    for (size_t i = 0; i < c.at(x).size(); ++i) {
      data << c.at(x)[i].get<double>() << " " << c.at(y)[i].get<double>() << " "
           << c.at("ci_low")[i].get<double>() << " " << c.at("ci_high")[i].get<double>() << "\n";
    }
    data << "EOD\n";
    const int colour = curve + 1;
    plots << (curve ? ", " : "plot ") << "$" << key << curve
          << " using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc " << colour
          << " notitle, $" << key << curve << " using 1:2 with lines lw 2 lc " << colour
          << " title " << gnuplot_quoted(j.at("rule").get<std::string>());
    ++curve;
  }
  return data.str() + plots.str() + "\n";
}

// performance_profile.png and .csv: each rule's fraction of runs above each
// threshold, with its 95% band.
std::string performance_profile_files(const std::string& dir,
                                      const std::vector<nlohmann::ordered_json>& report,
                                      bool normalised) {
  std::ostringstream csv;
  csv << std::setprecision(10) << "rule,tau,fraction,ci_low,ci_high\n";
  for (const auto& j : report) {
    if (!j.contains("rule")) continue;
    const auto& p = j.at("performance_profile");
    for (size_t i = 0; i < p.at("tau").size(); ++i) {
      csv << j.at("rule").get<std::string>() << "," << p.at("tau")[i].get<double>() << ","
          << p.at("fraction")[i].get<double>() << "," << p.at("ci_low")[i].get<double>() << ","
          << p.at("ci_high")[i].get<double>() << "\n";
    }
  }
  write_file_atomically((fs::path(dir) / "performance_profile.csv").string(), csv.str());
  const std::string score = normalised ? "normalised score" : "raw score";
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal(700, 460) << "\nset output "
         << gnuplot_quoted((fs::path(dir) / "performance_profile.png").string())
         << "\nset title \"performance profile (all runs x environments)\"\n"
         << "set termoption noenhanced\nset xlabel \"" << score << " threshold tau\"\n"
         << "set ylabel \"fraction of runs with " << score << " > tau (95% band)\"\n"
         << "set yrange [-0.02:1.02]\nset autoscale xfix\nset grid\nset key top right noenhanced\n"
         << curve_plots(report, "performance_profile", "tau", "fraction");
  run_gnuplot(script.str(), "performance_profile.png");
  return "performance_profile.png";
}

// sample_efficiency.png and .csv: each rule's IQM at each checkpoint of
// frames, with its 95% interval.
std::string sample_efficiency_files(const std::string& dir,
                                    const std::vector<nlohmann::ordered_json>& report,
                                    bool normalised) {
  std::ostringstream csv;
  csv << std::setprecision(10) << "rule,frames,iqm,ci_low,ci_high\n";
  for (const auto& j : report) {
    if (!j.contains("rule")) continue;
    const auto& c = j.at("sample_efficiency");
    for (size_t i = 0; i < c.at("frames").size(); ++i) {
      csv << j.at("rule").get<std::string>() << "," << c.at("frames")[i].get<int64_t>() << ","
          << c.at("iqm")[i].get<double>() << "," << c.at("ci_low")[i].get<double>() << ","
          << c.at("ci_high")[i].get<double>() << "\n";
    }
  }
  write_file_atomically((fs::path(dir) / "sample_efficiency.csv").string(), csv.str());
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal(700, 460) << "\nset output "
         << gnuplot_quoted((fs::path(dir) / "sample_efficiency.png").string())
         << "\nset title \"sample efficiency (all runs x environments)\"\n"
         << "set termoption noenhanced\nset xlabel \"environment frames\"\n"
         << "set ylabel \"IQM of " << (normalised ? "normalised" : "raw")
         << " scores (95% interval)\"\nset grid\nset key bottom right noenhanced\n"
         << curve_plots(report, "sample_efficiency", "frames", "iqm");
  run_gnuplot(script.str(), "sample_efficiency.png");
  return "sample_efficiency.png";
}

std::string iqm_png(const std::string& dir, const std::vector<nlohmann::ordered_json>& report,
                    bool normalised) {
  std::ostringstream data;
  data << "$iqm << EOD\n";
  double low = 0, high = 0;  // the bars start at 0, so the axis shows it
  int rules = 0;
  for (const auto& j : report) {
    if (!j.contains("rule")) continue;
    low = std::min(low, j.at("iqm_ci_low").get<double>());
    high = std::max(high, j.at("iqm_ci_high").get<double>());
    data << gnuplot_quoted(j.at("rule").get<std::string>()) << " " << j.at("iqm").get<double>()
         << " " << j.at("iqm_ci_low").get<double>() << " " << j.at("iqm_ci_high").get<double>() << "\n";
    ++rules;
  }
  data << "EOD\n";
  const double margin = 0.05 * std::max(high - low, 1e-9);
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal(700, 420) << "\nset output "
         << gnuplot_quoted((fs::path(dir) / "iqm.png").string()) << "\n"
         << "set ylabel \"IQM of " << (normalised ? "normalised" : "raw")
         << " final scores (95% interval)\"\nset grid ytics\nset key off\n"
         << "set termoption noenhanced\nset style fill solid 0.5\nset boxwidth 0.6\n"
         << "set xrange [-0.6:" << rules - 0.4 << "]\nset yrange [" << low - margin << ":"
         << high + margin << "]\nset xzeroaxis lt -1\n"
         << data.str()
         << "plot $iqm using 0:2:xtic(1) with boxes lc 3, $iqm using 0:2:3:4 with yerrorbars lc 0 pt 0 lw 2\n";
  run_gnuplot(script.str(), "iqm.png");
  return "iqm.png";
}

// Per environment: the random and reference returns, and each rule's mean
// raw final score over seeds with its range (normalised in parentheses).
std::string per_environment_markdown(const ScoreTable& raw) {
  std::ostringstream out;
  out << std::setprecision(3) << "| environment | random | reference |";
  for (const auto& [rule, tasks] : raw) out << " " << rule << " |";
  out << "\n|---|---|---|";
  for (size_t i = 0; i < raw.size(); ++i) out << "---|";
  out << "\n";
  for (const std::string& task : all_tasks(raw)) {
    const ReferenceScore* ref = find_reference_score(task);
    out << "| " << task << " | ";
    if (ref) {
      out << ref->random << " | " << ref->reference << " (" << ref->source << ") |";
    } else {
      out << "- | - |";
    }
    for (const auto& [rule, tasks] : raw) {
      const auto it = tasks.find(task);
      if (it == tasks.end() || it->second.empty()) {
        out << " - |";
        continue;
      }
      const std::vector<double>& s = it->second;
      const double mean = mean_of_task_means({s});
      out << " " << mean << " [" << *std::min_element(s.begin(), s.end()) << ", "
          << *std::max_element(s.begin(), s.end()) << "]";
      if (ref) out << " (" << normalised_score(mean, *ref) << ")";
      out << " |";
    }
    out << "\n";
  }
  out << "\nMean final return over seeds [lowest, highest]; in parentheses the mean normalised "
         "score.\n";
  return out.str();
}

}  // namespace

void write_eval_report(const std::string& dir, const BootstrapSettings& settings) {
  const fs::path plan_file = fs::path(dir) / "eval.json", scores_file = fs::path(dir) / "scores.csv";
  for (const auto& f : {plan_file, scores_file}) {
    if (!fs::exists(f)) {
      throw std::invalid_argument("'" + dir + "' holds no finished evaluation (no " +
                                  f.filename().string() + ")");
    }
  }
  const nlohmann::json plan = load_config_file(plan_file.string());
  const ScoreTable raw = read_score_csv(scores_file.string());
  // Pooling raw returns of environments on different scales means little:
  // aggregate normalised scores whenever every environment has a reference.
  const std::vector<std::string> missing = tasks_without_reference(raw);
  const bool normalised = missing.empty();
  auto report =
      score_report(normalised ? normalise_score_table(raw) : raw, settings, scores_file.string());
  // The sample-efficiency curve from the runs' learning curves, through the
  // same path as `disco stats --curves learning_curves.csv`.
  const RunWindows windows = load_windows(dir, plan);
  const CurveTable raw_curves = run_curves(plan, windows);
  CurveTable curves = raw_curves;
  if (normalised) {
    for (auto& [frames, at] : curves) at = normalise_score_table(at);
  }
  const fs::path curves_file = fs::path(dir) / "learning_curves.csv";
  add_sample_efficiency(&report, curves, settings, curves_file.string());
  std::string jsonl;
  for (const auto& j : report) jsonl += j.dump() + "\n";
  const std::string table = score_report_markdown(report);

  std::ostringstream setup;
  setup << plan.at("rules").size() << " rules x " << plan.at("envs").size() << " environments x "
        << plan.at("seeds").get<int>() << " seeds, " << plan.at("frames").get<int64_t>()
        << " environment frames per run (learner steps per rule: " << plan.at("learner_steps").dump()
        << "). Score: the average episode return over a run's last "
        << plan.at("score_fraction").get<double>() * 100
        << "% of frames, "
        << (normalised ? "normalised per environment (random policy = 0, reference = 1; the "
                         "references and their sources are in the table below)"
                       : "as raw returns (no reference score for " + missing.front() + ")" +
                             (all_tasks(raw).size() > 1
                                  ? ", so the aggregate pools returns on different scales"
                                  : ""))
        << ". Intervals: 95%, stratified bootstrap over runs, " << settings.reps
        << " resamples (rliable's method).\n";
  const std::string per_env = per_environment_markdown(raw);
  // With --grid, how each rule's configuration was chosen (written by the tuning phase).
  const fs::path tuning_file = fs::path(dir) / "tuning.md";
  const std::string tuning =
      fs::exists(tuning_file) ? "## Tuning\n\n" + read_text_file(tuning_file.string()) + "\n" : "";
  const std::string achievements = write_achievement_report(dir, plan, settings);
  std::ostringstream results;
  results << "# Evaluation\n\n" << setup.str() << "\n" << tuning << table << "\n" << per_env
          << (achievements.empty() ? "" : "\n" + achievements);

  const std::string iqm = iqm_png(dir, report, normalised);
  const std::string profile = performance_profile_files(dir, report, normalised);
  const std::string efficiency = sample_efficiency_files(dir, report, normalised);
  const std::string scores_kind = normalised ? "normalised scores" : "raw scores";
  std::ostringstream page;
  page << "# Evaluation report\n\n"
       << setup.str() << "\n"
       << tuning << "## Aggregate scores\n\n"
       << table << "\n![IQM](" << iqm
       << ")\n\n## Performance profiles\n\nFor each threshold tau, the fraction of all "
       << "runs (every environment and seed) whose final score is above tau, with a 95% "
       << "stratified-bootstrap band; a curve above another everywhere dominates it (numbers: "
       << "performance_profile.csv).\n\n![performance profiles](" << profile
       << ")\n\n## Sample efficiency\n\nThe IQM over all runs of the " << scores_kind
       << " each run had at each of " << kWindows
       << " checkpoints of frames (its average return in "
       << "the window ending there), with a 95% stratified-bootstrap interval (numbers: "
       << "sample_efficiency.csv; the runs' values: learning_curves.csv).\n\n![sample efficiency]("
       << efficiency << ")\n\n## Per environment\n\n"
       << per_env << "\n" << achievements << "## Learning curves\n\n";
  for (const auto& env : plan.at("envs")) {
    // Curves take a bootstrap per window: fewer resamples suffice for a band.
    BootstrapSettings band = settings;
    band.reps = std::min(settings.reps, 2000);
    const std::string png = learning_curves_png(dir, plan, windows, env.get<std::string>(), band);
    page << "![" << env.get<std::string>() << "](" << png << ")\n\n";
  }
  write_file_atomically(curves_file.string(), curve_csv(raw_curves, plan.value("first_seed", 0)));
  write_file_atomically((fs::path(dir) / "stats.jsonl").string(), jsonl);
  write_file_atomically((fs::path(dir) / "results.md").string(), results.str());
  write_file_atomically((fs::path(dir) / "report.md").string(), page.str());
}

}  // namespace disco
