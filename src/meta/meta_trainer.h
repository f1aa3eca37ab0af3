// A meta-training run (`disco meta-train`): a population of agents
// (meta/population.h), each in its own environment, learns with the current
// rule; every meta-step each agent contributes its meta-gradient and the rule
// is improved from them (meta/meta_update.h has the steps). The agents keep
// their updated state across meta-steps, or are reset when their lifetime is
// spent.
//
// In one process the agents run side by side, one thread each (at most
// `threads`, core/thread_plan.h), each single-threaded: an agent's
// arithmetic is then the same whatever thread or process runs it, and the
// rule after any meta-step is the same bit for bit for every thread count.
//
// Across processes (src/dist): rank r of K holds agents [P·r/K, P·(r+1)/K)
// and every rank holds the whole rule and its optimiser. Each meta-step the
// ranks all-gather their agents' meta-gradients and statistics and sum them
// in agent order, so every rank takes the same update and the rule after M
// meta-steps is the same bit for bit for any K (agent i's randomness comes
// from (seed, i) only). A fingerprint of the rule is compared across ranks
// every meta-step. Rank 0 writes the run's files; the folder must be shared.
//
// Files in the run folder:
//   settings.json                     every setting (the resume source)
//   agents/, checkpoint.npz           every checkpoint_every meta-steps and at
//                                     the end (meta/meta_checkpoint.h)
//   meta_metrics.csv, .jsonl          one row per log_every meta-steps
//   rule.npz                          the rule under the reference's names, every
//                                     rule_every meta-steps and at the end
//   initial_rule.npz                  the rule the run started from
//   meta_curve.png                    drawn by the command at the end
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "io/metrics.h"
#include "meta/meta_checkpoint.h"
#include "meta/meta_settings.h"
#include "meta/population.h"
#include "rules/disco_rule.h"

namespace disco {

struct MetaProgress {
  int64_t meta_step = 0;
  int64_t total_steps = 0;
  int64_t env_steps = 0;
  double elapsed_s = 0;
  double meta_loss = 0;
  double avg_return = 0;  // population mean over this meta-step's episodes (NaN if none)
  int64_t resets = 0;
  int64_t skipped = 0;
  int64_t dropped = 0;  // agent contributions dropped as not finite, in all
  bool logged = false;  // a metrics row was written with this step
  MetricsRow row;       // that row (empty when !logged)
};

class MetaTrainer {
 public:
  // Fresh run in `dir`; throws if `dir` already holds a run. Every rank of
  // `comm` constructs one with the same arguments.
  MetaTrainer(const MetaTrainSettings& settings, const std::string& dir,
              const std::string& disco103_weights, dist::Communicator& comm);
  // Resumes the run in `dir` (with any number of ranks); `meta_steps` (if
  // given) replaces the total.
  static std::unique_ptr<MetaTrainer> resume(const std::string& dir,
                                             std::optional<int64_t> meta_steps,
                                             const std::string& disco103_weights,
                                             dist::Communicator& comm);
  ~MetaTrainer();

  // Runs until settings.meta_steps, this process's agents on up to `threads`
  // threads (<= 0: the thread plan's, core/thread_plan.h). `stop_after` > 0
  // stops after that many meta-steps in this call without a final checkpoint
  // (tests of resuming).
  void run(const std::function<void(const MetaProgress&)>& on_progress = {},
           int64_t stop_after = 0, int threads = 0);
  // Asks run() to stop after the meta-step in progress, with a checkpoint
  // and rule.npz. Safe from any thread; run() clears it when it returns.
  // Over several ranks every rank must ask at the same meta-step (the Python
  // binding, its one caller, runs a single process).
  void request_stop() { stop_requested_ = true; }

  const MetaTrainSettings& settings() const { return settings_; }
  const ParamMap& meta_params() const { return rule_state_.meta_params; }
  int64_t meta_step() const { return counters_.meta_step; }
  const std::string& out_dir() const { return dir_; }
  static bool holds_run(const std::string& dir);

 private:
  struct ResumeTag {};
  MetaTrainer(ResumeTag, const MetaTrainSettings& settings, const std::string& dir,
              const std::string& disco103_weights, dist::Communicator& comm);
  // Members, rule and optimisers from the settings. Resuming, the rule's
  // initial weights are not read: the checkpoint replaces them.
  void build(const std::string& disco103_weights, bool resuming);
  MetaProgress meta_update(int threads);
  void save_checkpoint() const;
  void check_ranks_agree() const;
  void save_rule(const char* file = nullptr) const;  // rule.npz by default

  MetaTrainSettings settings_;
  std::string dir_;
  dist::Communicator& comm_;
  torch::Device device_;
  DiscoRule rule_;
  RuleState rule_state_;
  std::vector<std::unique_ptr<PopulationAgent>> agents_;  // this rank's, in order
  std::unique_ptr<MetricsWriter> metrics_;                // rank 0 only
  std::atomic<bool> stop_requested_{false};
  MetaCounters counters_;
};

}  // namespace disco
