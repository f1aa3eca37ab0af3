// Running `disco eval`'s `disco train` runs: each as a child process of this
// binary (its output in DIR/logs/), J at a time; finished runs are skipped and
// stopped ones resume from their checkpoints.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_plan.h"

namespace disco::cli {

// One run of the evaluation: its folder, its learner steps and its settings
// file ("" for the rule's defaults).
struct PlannedRun {
  EvalRun run;
  int64_t steps = 0;
  std::string config;
};

struct RunOptions {
  std::string out;     // the evaluation folder (logs go to out/logs)
  int64_t frames = 0;  // for the progress line
  int jobs = 1, threads = 1;
};

// Starts this binary as a child process with `args` (args[0] is the
// program's name), its output appended to `log` ("": this process's). Returns
// its pid; throws std::runtime_error when it cannot be started.
pid_t start_self(const std::vector<std::string>& args, const std::string& log = "");

// Runs every unfinished run of `runs`; prints "<what>: N runs of F frames; ..."
// and a line per finished run. Throws std::runtime_error when any failed,
// after the others finish.
void run_all(const std::vector<PlannedRun>& runs, const RunOptions& o, const std::string& what);

}  // namespace disco::cli
