// A training run: actors, replay, learner, metrics and checkpoints in one
// folder. A run is started in an empty (or new) folder, or resumed from the
// checkpoint in a folder that holds one; an existing run is never
// overwritten.
//
// Files in the run folder:
//   settings.json    every setting (the resume source)
//   checkpoint.npz   see agent/checkpoint.h; every checkpoint_every learner
//                    steps and at the end
//   metrics.csv, metrics.jsonl   one row per log_every learner steps
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/actor.h"
#include "agent/learner.h"
#include "agent/replay.h"
#include "agent/train_settings.h"
#include "io/metrics.h"
#include "rules/rule_factory.h"

namespace disco {

struct TrainProgress {
  int64_t learner_step = 0;
  int64_t total_steps = 0;
  int64_t env_steps = 0;
  int64_t episodes = 0;
  double elapsed_s = 0;
  double avg_return = 0;  // of the last logged window (NaN before any episode)
  double env_steps_per_s = 0;
  double learner_steps_per_s = 0;
  bool logged = false;    // a metrics row was written with this call
  MetricsRow row;         // that row (empty when !logged)
};

class Trainer {
 public:
  // Fresh run in `dir`; throws if `dir` already holds a run.
  Trainer(const TrainSettings& settings, const std::string& dir,
          const std::string& disco103_weights);
  // Resumes the run in `dir`; `steps` (if given) replaces the total.
  static std::unique_ptr<Trainer> resume(const std::string& dir, std::optional<int64_t> steps,
                                         const std::string& disco103_weights);
  ~Trainer();

  // Trains until settings.steps learner steps. `on_progress` is called after
  // every learner step. `stop_after` > 0 stops after that many learner steps
  // in this call WITHOUT a final checkpoint, as if the process were killed
  // (for tests of resuming).
  void run(const std::function<void(const TrainProgress&)>& on_progress = {},
           int64_t stop_after = 0);
  // Asks run() to stop after the learner step in progress, WITH a checkpoint
  // (resume continues from it). Safe from any thread or a signal handler;
  // run() clears it when it returns.
  void request_stop() { stop_requested_ = true; }

  const TrainSettings& settings() const { return settings_; }
  const LearnerState& learner_state() const { return state_; }
  int64_t learner_step() const { return learner_step_; }
  const std::string& out_dir() const { return dir_; }

  // Does `dir` hold a run (settings, checkpoint or metrics)?
  static bool holds_run(const std::string& dir);

 private:
  struct ResumeTag {};
  Trainer(ResumeTag, const TrainSettings& settings, const std::string& dir,
          const std::string& disco103_weights);
  void build(const std::string& disco103_weights);
  void save_checkpoint() const;
  void load_checkpoint();
  void learn(const Rollout& batch);
  void write_row(TrainProgress& progress);

  TrainSettings settings_;
  std::string dir_;
  torch::Device device_;
  RuleChoice rule_;
  std::unique_ptr<AgentNet> net_;
  std::unique_ptr<Learner> learner_;
  std::unique_ptr<Actor> actor_;
  std::unique_ptr<ReplayBuffer> replay_;
  std::unique_ptr<MetricsWriter> metrics_;
  LearnerState state_;
  Rng rng_;  // replay sampling and minibatch order

  std::atomic<bool> stop_requested_{false};
  int64_t learner_step_ = 0;
  int64_t env_steps_ = 0;
  int64_t episodes_ = 0;
  double elapsed_s_ = 0;
  // The open metrics window.
  EpisodeStats window_;
  int64_t window_env_steps_ = 0;
  int64_t window_learner_steps_ = 0;
  double window_start_s_ = 0;
  std::map<std::string, torch::Tensor> window_logs_;
  double last_avg_return_;
};

}  // namespace disco
