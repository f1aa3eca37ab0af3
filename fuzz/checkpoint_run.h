// The training run whose checkpoint fuzz target checkpoint restores: its
// settings (actor-critic with an 11-bin value on a small Catch, a tiny
// network, a replay of four trajectories) and the folder it lives in. The
// seed checkpoints of fuzz/corpus/checkpoint/ are this run's (fuzz_make_seeds
// writes them).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "agent/train_settings.h"

namespace disco::fuzz {

inline TrainSettings checkpoint_run_settings() {
  TrainSettings s = default_train_settings("actor_critic");
  s.env = "catch(rows=4,columns=3)";
  s.steps = 1000;
  s.num_envs = 2;
  s.rollout_length = 3;
  s.replay_capacity = 4;
  s.min_replay = 2;
  s.batch_size = 2;
  s.net.dense = {4};
  s.net.lstm_size = 4;
  s.net.model_head_hiddens = {4};
  s.rule_settings = {{"num_bins", 11}, {"max_abs_value", 5.0}};
  s.log_every = 1000;
  s.checkpoint_every = 1000;
  return s;
}

// A folder of this process's own under the temporary folder (fuzzing jobs
// run side by side).
inline std::filesystem::path checkpoint_run_dir(const std::string& what) {
  return std::filesystem::temp_directory_path() /
         ("disco_fuzz_" + what + "." + std::to_string(::getpid()));
}

}  // namespace disco::fuzz
