#include "eval/eval_plan.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

#include "envs/registry.h"
#include "io/metrics.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

const std::map<std::string, std::vector<std::string>>& suites() {
  static const std::map<std::string, std::vector<std::string>> s = {
      {"catch", {"catch(rows=5,columns=5)", "catch(rows=8,columns=8)", "catch(rows=10,columns=5)"}},
      {"minatar",
       {"minatar_asterix", "minatar_breakout", "minatar_freeway", "minatar_seaquest",
        "minatar_space_invaders"}},
      // The LPG paper's tabular grid worlds (Oh et al. 2020).
      {"gridworld",
       {"gridworld(layout=dense)", "gridworld(layout=sparse)", "gridworld(layout=long)",
        "gridworld(layout=longer)", "gridworld(layout=long_dense)"}},
      {"small", {"catch(rows=5,columns=5)", "deep_sea(size=6)", "gridworld(layout=rand_tiny)"}},
  };
  return s;
}

}  // namespace

std::string eval_folder_name(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                      c == '-' || c == '=' || c == ',';
    out += keep ? c : (c == '(' || c == ')' ? '_' : '-');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string eval_suite_names() {
  std::string out;
  for (const auto& [name, envs] : suites()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::vector<std::string> eval_environments(const std::string& suite_or_list) {
  const auto it = suites().find(suite_or_list);
  const std::vector<std::string> envs =
      it != suites().end() ? it->second : split_env_list(suite_or_list);
  if (envs.empty()) throw std::invalid_argument("no environments in '" + suite_or_list + "'");
  for (const auto& env : envs) make_env(env);  // throws naming an unknown one
  return envs;
}

int64_t learner_steps_for_frames(const TrainSettings& s, int64_t frames) {
  if (frames <= 0) throw std::invalid_argument("frames must be positive, got " + std::to_string(frames));
  const int64_t per_rollout = int64_t{s.rollout_length} * s.num_envs;
  const int64_t rollouts = frames / per_rollout;
  int64_t steps = 0;
  if (s.replay_capacity > 0) {
    // Rollout r (from 1) stores r·num_envs trajectories; learning starts at
    // the first rollout that reaches min_replay.
    const int64_t need = std::max(1, s.min_replay);
    const int64_t first = (need + s.num_envs - 1) / s.num_envs;
    steps = rollouts >= first ? (rollouts - first + 1) * s.epochs : 0;
  } else {
    steps = rollouts * s.epochs * s.minibatches;
  }
  return std::max<int64_t>(steps, 1);
}

std::string rule_label(const std::string& rule) {
  const fs::path p(rule);
  return p.extension() == ".npz" ? p.stem().string() : rule;
}

std::vector<EvalRun> eval_grid(const std::vector<std::string>& rules,
                               const std::vector<std::string>& envs, int seeds,
                               const std::string& out, int first_seed) {
  if (seeds <= 0) throw std::invalid_argument("seeds must be positive, got " + std::to_string(seeds));
  if (first_seed < 0) {
    throw std::invalid_argument("the first seed must not be negative, got " + std::to_string(first_seed));
  }
  std::vector<EvalRun> grid;
  for (const auto& rule : rules) {
    for (const auto& env : envs) {
      for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
        const fs::path dir = fs::path(out) / "runs" / eval_folder_name(rule_label(rule)) /
                             eval_folder_name(env) / ("seed" + std::to_string(seed));
        grid.push_back({rule, env, seed, dir.string()});
      }
    }
  }
  return grid;
}

RunState run_state(const std::string& dir, int64_t steps) {
  const fs::path metrics = fs::path(dir) / "metrics.csv";
  if (!fs::exists(fs::path(dir) / "checkpoint.npz")) {
    return fs::exists(dir) && !fs::is_empty(dir) ? RunState::kNoCheckpoint : RunState::kNew;
  }
  if (!fs::exists(metrics)) return RunState::kPartial;
  const MetricsTable t = read_metrics_csv(metrics.string());
  const int step = t.column("learner_step");
  if (step < 0 || t.rows.empty()) return RunState::kPartial;
  return t.rows.back()[step] >= static_cast<double>(steps) ? RunState::kFinished
                                                            : RunState::kPartial;
}

double final_score(const std::string& dir, double fraction) {
  if (!(fraction > 0 && fraction <= 1)) {
    throw std::invalid_argument("the scored fraction must lie in (0, 1], got " + std::to_string(fraction));
  }
  const MetricsTable t = read_metrics_csv((fs::path(dir) / "metrics.csv").string());
  const int frames = t.column("env_steps"), episodes = t.column("episodes"),
            ret = t.column("avg_return");
  if (frames < 0 || episodes < 0 || ret < 0 || t.rows.empty()) {
    throw std::invalid_argument(dir + "/metrics.csv lacks env_steps, episodes or avg_return");
  }
  const double last = t.rows.back()[frames];
  const double from = last * (1 - fraction);
  double sum = 0, count = 0, previous_episodes = 0;
  for (const auto& row : t.rows) {
    const double ended = row[episodes] - previous_episodes;
    // A logged window counts when it ends inside the last fraction of frames
    // (so the last window always does).
    if (row[frames] > from && ended > 0 && std::isfinite(row[ret])) {
      sum += row[ret] * ended;
      count += ended;
    }
    previous_episodes = row[episodes];
  }
  return count > 0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace disco
