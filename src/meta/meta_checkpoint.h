// The checkpoint protocol of a meta-training run, over any number of ranks:
//   1. every rank writes its agents' files, agents/agent<i>-step<s>.npz, each
//      atomically (meta/population.h save_agent);
//   2. only when all have, rank 0 writes the manifest checkpoint.npz (the
//      rule, its optimiser(s), the counters), which names the step whose
//      agent files are current;
//   3. rank 0 removes the agent files of earlier steps.
// A run killed anywhere resumes from the last manifest, with any number of
// ranks, to the same result as an uninterrupted run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "meta/population.h"
#include "optim/outer_adam.h"

namespace disco {

struct MetaCounters {
  int64_t meta_step = 0;
  int64_t env_steps = 0;
  int64_t resets = 0;
  int64_t skipped = 0;  // meta-steps without an update
  int64_t dropped = 0;  // agent contributions dropped as not finite
  double elapsed_s = 0;
};

// The rule and its meta-optimiser(s).
struct RuleState {
  ParamMap meta_params;
  std::vector<OuterAdamState> opt;  // one (mean) or one per agent
};

std::string meta_agent_file(const std::string& dir, int agent, int64_t step);
// The folder of those files: DIR/agents.
std::string meta_agents_dir(const std::string& dir);

// Collective: every rank calls it. Throws on any rank's failure.
void save_meta_checkpoint(const std::string& dir, dist::Communicator& comm,
                          const std::vector<std::unique_ptr<PopulationAgent>>& agents,
                          const RuleState& rule, const MetaCounters& counters, int population);

// Reads the manifest and this rank's agents; `rule` and `agents` come in
// freshly built (their shapes are checked against the files).
void load_meta_checkpoint(const std::string& dir, std::vector<std::unique_ptr<PopulationAgent>>& agents,
                          RuleState& rule, MetaCounters& counters, int population,
                          torch::Device device);

}  // namespace disco
