// What `disco eval` runs: every (rule, environment, seed) as an ordinary
// `disco train` run folder, all at the same budget of environment frames,
// and how a finished run is scored.
//
//   DIR/runs/<rule>/<environment>/seed<k>/   a `disco train` run folder
//
// Suites name lists of environments: catch, minatar (the five games),
// gridworld (the LPG layouts), small (a mix that runs in minutes on 2 cores).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/train_settings.h"

namespace disco {

// The environments of a suite name, or of a list separated by ';' or by
// commas outside parentheses (each checked against the registry). Throws
// std::invalid_argument naming an unknown environment.
std::vector<std::string> eval_environments(const std::string& suite_or_list);

// The suites, for help texts: "catch, minatar, gridworld, small".
std::string eval_suite_names();

// Learner steps after which `disco train` with settings `s` has stepped its
// environments `frames` times or fewer (its loop: each actor rollout is
// rollout_length x num_envs frames; with replay, learning starts once
// min_replay trajectories are stored and takes `epochs` steps per rollout;
// on-policy, epochs x minibatches). At least 1. Throws for frames <= 0.
int64_t learner_steps_for_frames(const TrainSettings& s, int64_t frames);

struct EvalRun {
  std::string rule, env;
  int seed = 0;
  std::string dir;  // the run folder
};

// Every (rule, environment, seed) of the grid, rule-major, seeds first_seed
// .. first_seed + seeds - 1, with its folder under `out`. Rules may be names
// or .npz paths (the folder uses the file's stem); folder names keep letters,
// digits and "._-=," only.
std::vector<EvalRun> eval_grid(const std::vector<std::string>& rules,
                               const std::vector<std::string>& envs, int seeds,
                               const std::string& out, int first_seed = 0);

// `s` as a file or folder name: letters, digits and "._-=," kept, parentheses
// to '_' (none at the end), anything else to '-'.
std::string eval_folder_name(const std::string& s);

// The rule's label in tables: its name, or an .npz file's stem.
std::string rule_label(const std::string& rule);

// How far a run folder is: no run yet, stopped before its first checkpoint
// (nothing to resume from: start it again), stopped before `steps` learner
// steps (resumable), or finished.
enum class RunState { kNew, kNoCheckpoint, kPartial, kFinished };
RunState run_state(const std::string& dir, int64_t steps);

// A finished run's score: the average episode return over its last
// `fraction` of frames, from its metrics.csv: the average of every logged
// window that ends there, weighted by the episodes that ended in it (a
// window that straddles the boundary counts whole). NaN when none ended.
double final_score(const std::string& dir, double fraction);

}  // namespace disco
