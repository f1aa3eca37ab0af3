#include "eval/reference_scores.h"

#include <stdexcept>

#include "envs/registry.h"

namespace disco {
namespace {

// Catch: every ball can be caught (the paddle starts in the middle and moves
// one column per step while the ball falls rows - 1 rows), so the optimal
// return is 1. DeepSea(N): the treasure (+1) needs N right moves, each
// costing 0.01 / N (bsuite's deep_sea), so the optimal return is 0.99.
constexpr const char* kCatchOptimal = "optimal return (every ball can be caught)";
constexpr const char* kDeepSeaOptimal = "optimal return (N right moves at 0.01/N, then +1)";
// Grid worlds and MinAtar have no closed-form optimum: the reference is PPO
// with CleanRL's defaults (`disco train --rule ppo`), mean final score (last
// 10% of frames) over 2 seeds at 500k frames, measured on 2026-12-02 with
//   disco eval --rules ppo --envs ENV --seeds 2 --frames 500000
// (experiments/eval_evidence.sh, step 1). At that budget PPO is still close
// to random on Asterix, Seaquest and the longer and long_dense grid worlds,
// so small return differences there become large normalised ones.
constexpr const char* kPpo500k = "PPO (CleanRL defaults), 500k frames, 2 seeds, measured 2026-12-02";

}  // namespace

const std::vector<ReferenceScore>& reference_scores() {
  // random: `disco env-stats --env ENV --policy random --episodes 1000 --seed 0`.
  static const std::vector<ReferenceScore> table = {
      {"catch(columns=5,rows=5)", -0.604, 1.0, kCatchOptimal},
      {"catch(columns=8,rows=8)", -0.76, 1.0, kCatchOptimal},
      {"catch(columns=5,rows=10)", -0.6, 1.0, kCatchOptimal},
      {"deep_sea(mapping_seed=-1,randomize_actions=true,size=6)", 0.01191500035871286, 0.99,
       kDeepSeaOptimal},
      {"minatar_asterix(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)",
       0.511, 0.967477, kPpo500k},
      {"minatar_breakout(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)",
       0.382, 4.877652, kPpo500k},
      {"minatar_freeway(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)",
       0.408, 29.375, kPpo500k},
      {"minatar_seaquest(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)",
       0.109, 0.748431, kPpo500k},
      {"minatar_space_invaders(difficulty_ramping=true,full_action_set=false,sticky_action_prob=0.1)",
       4.02, 19.913949, kPpo500k},
      {"gridworld(layout=dense,layout_seed=0)", 0.929, 31.495, kPpo500k},
      {"gridworld(layout=sparse,layout_seed=0)", -0.029, 0.5, kPpo500k},
      {"gridworld(layout=long,layout_seed=0)", -0.634, 13.316313, kPpo500k},
      {"gridworld(layout=longer,layout_seed=0)", -1.242, -0.137931, kPpo500k},
      {"gridworld(layout=long_dense,layout_seed=0)", 12.179, 15.104167, kPpo500k},
      {"gridworld(layout=rand_tiny,layout_seed=0)", 4.742, 23.6835, kPpo500k},
  };
  return table;
}

const ReferenceScore* find_reference_score(const std::string& env) {
  std::string canonical;
  try {
    canonical = make_env(env)->spec().name;
  } catch (const std::invalid_argument&) {
    return nullptr;  // not an environment name: a task label of some other table
  }
  for (const ReferenceScore& r : reference_scores()) {
    if (r.env == canonical) return &r;
  }
  return nullptr;
}

double normalised_score(double raw, const ReferenceScore& r) {
  return (raw - r.random) / (r.reference - r.random);
}

std::vector<std::string> tasks_without_reference(const ScoreTable& table) {
  std::vector<std::string> out;
  for (const std::string& task : all_tasks(table)) {
    if (!find_reference_score(task)) out.push_back(task);
  }
  return out;
}

ScoreTable normalise_score_table(const ScoreTable& table) {
  ScoreTable out;
  for (const auto& [rule, tasks] : table) {
    for (const auto& [task, scores] : tasks) {
      const ReferenceScore* r = find_reference_score(task);
      if (!r) {
        throw std::invalid_argument("no reference score for '" + task +
                                    "' (the table in src/eval/reference_scores.cc lists the "
                                    "suites' environments); compare raw scores instead");
      }
      std::vector<double>& normalised = out[rule][task];
      for (double s : scores) normalised.push_back(normalised_score(s, *r));
    }
  }
  return out;
}

}  // namespace disco
