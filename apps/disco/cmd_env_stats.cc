// `disco env-stats --env ENV --episodes N --policy random|noop --seed S`:
// runs N whole episodes of one environment under a fixed policy and prints
// one JSON object with return and length statistics and how often each
// per-step reward value occurred -- for checking an environment against its
// reference implementation. For environments with achievements (Crafter) it
// adds each one's success rate over the episodes and the Crafter score.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "envs/achievements.h"
#include "envs/registry.h"

namespace disco::cli {
namespace {

struct Summary {
  double mean = 0, std = 0, sem = 0;  // std: sample (n-1); sem = std / sqrt(n)
};

Summary summarise(const std::vector<double>& x) {
  Summary s;
  const double n = static_cast<double>(x.size());
  for (double v : x) s.mean += v;
  s.mean /= n;
  double ss = 0;
  for (double v : x) ss += (v - s.mean) * (v - s.mean);
  s.std = x.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  s.sem = s.std / std::sqrt(n);
  return s;
}

// Linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> x, double q) {
  std::sort(x.begin(), x.end());
  const double pos = q / 100.0 * static_cast<double>(x.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (x[hi] - x[lo]) * (pos - static_cast<double>(lo));
}

std::string reward_key(float r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(r));
  return buf;
}

// The action a "noop" policy takes: the one named "noop" if any, else 0.
int noop_action(const Environment& env) {
  const auto names = env.action_names();
  const auto it = std::find(names.begin(), names.end(), "noop");
  return it == names.end() ? 0 : static_cast<int>(it - names.begin());
}

struct EnvStatsOptions {
  std::string env;
  int episodes = 100;
  std::string policy = "random";
  uint64_t seed = 0;
  int64_t max_episode_steps = 100000;
};

nlohmann::json env_stats(const EnvStatsOptions& o) {
  if (o.episodes <= 0) {
    throw UsageError("--episodes must be positive, got " + std::to_string(o.episodes));
  }
  if (o.max_episode_steps <= 0) {
    throw UsageError("--max-episode-steps must be positive, got " + std::to_string(o.max_episode_steps));
  }
  if (o.policy != "random" && o.policy != "noop") {
    throw UsageError("--policy must be 'random' or 'noop', got '" + o.policy + "'");
  }
  // Batch 1: episodes are counted in the order they end, so none is favoured
  // for being short; the batch layer applies any time limit.
  BatchedEnv env = [&] {
    try {
      return make_batched_env(o.env, 1);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }();
  env.reset(o.seed);
  Rng policy_rng = Rng(o.seed).split(0x5eed);
  const int num_actions = env.spec().num_actions;
  const int noop = noop_action(env.env(0));

  std::vector<double> returns, lengths;
  std::map<float, int64_t> reward_counts;
  const std::vector<std::string>& achievement_names = env.achievement_names();
  std::vector<int64_t> unlocked(achievement_names.size(), 0);  // episodes per achievement
  // Some policies never end some games (noop in Seaquest stays at the
  // surface): such an episode is cut at --max-episode-steps, counted as cut,
  // and the environment restarts from a seed derived from the episode index.
  int64_t cut = 0, length = 0;
  double running_return = 0;
  while (static_cast<int>(returns.size()) < o.episodes) {
    const int action = o.policy == "random" ? policy_rng.uniform_int(num_actions) : noop;
    env.step(&action);
    ++reward_counts[env.rewards()[0]];
    running_return += env.rewards()[0];
    ++length;
    if (env.done(0)) {
      returns.push_back(env.finished_return(0));
      lengths.push_back(env.finished_length(0));
      count_unlocked(env.finished_achievements(0), unlocked);
      running_return = 0;
      length = 0;
    } else if (length >= o.max_episode_steps) {
      returns.push_back(running_return);
      lengths.push_back(static_cast<double>(length));
      count_unlocked(env.env(0).unlocked_achievements(), unlocked);
      ++cut;
      running_return = 0;
      length = 0;
      env.reset(Rng(o.seed).split(returns.size()).next_u64());
    }
  }

  const Summary ret = summarise(returns);
  const Summary len = summarise(lengths);
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [r, n] : reward_counts) counts[reward_key(r)] = n;
  nlohmann::json out;
  out["env"] = env.spec().name;
  out["episodes"] = o.episodes;
  out["policy"] = o.policy;
  if (o.policy == "noop") out["noop_action"] = noop;
  out["seed"] = o.seed;
  out["max_episode_steps"] = o.max_episode_steps;
  out["episodes_cut_at_max_steps"] = cut;
  out["return"] = {{"mean", ret.mean},
                   {"std", ret.std},
                   {"sem", ret.sem},
                   {"median", percentile(returns, 50)},
                   {"p5", percentile(returns, 5)},
                   {"p95", percentile(returns, 95)}};
  out["length"] = {{"mean", len.mean}, {"std", len.std}, {"sem", len.sem}};
  out["reward_counts"] = counts;  // per-step reward value -> number of steps
  if (!achievement_names.empty()) {
    // The fraction of episodes that unlocked each achievement, its binomial
    // standard error, and the Crafter score of those fractions (in percent).
    nlohmann::json rates = nlohmann::json::object(), sems = rates;
    std::vector<double> fractions;
    const double n = static_cast<double>(returns.size());
    for (size_t k = 0; k < achievement_names.size(); ++k) {
      const double p = static_cast<double>(unlocked[k]) / n;
      fractions.push_back(p);
      rates[achievement_names[k]] = p;
      sems[achievement_names[k]] = std::sqrt(p * (1 - p) / n);
    }
    out["achievements"] = rates;
    out["achievements_sem"] = sems;
    out["crafter_score"] = crafter_score(fractions);
  }
  return out;
}

}  // namespace

void add_env_stats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "env-stats", "Episode return/length statistics of an environment under a fixed policy (JSON)");
  static EnvStatsOptions options;
  cmd->add_option("--env", options.env, "environment, e.g. minatar_breakout or catch(rows=8)")
      ->required();
  cmd->add_option("--episodes", options.episodes, "number of whole episodes (default 100)");
  cmd->add_option("--policy", options.policy,
                  "random (uniform over the actions) or noop (the action named noop, else 0)");
  cmd->add_option("--seed", options.seed, "seed of the environment and the policy (default 0)");
  cmd->add_option("--max-episode-steps", options.max_episode_steps,
                  "cut an episode after this many steps and count it as cut (default 100000)");
  cmd->callback([]() { std::cout << env_stats(options).dump(2) << "\n"; });
}

}  // namespace disco::cli
