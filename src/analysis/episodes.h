// Episodes of a trained agent, recorded with every output of its network:
// what the timeline, saliency and probe analyses read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "nets/agent_net.h"

namespace disco {

// Time-major, one column per episode: entry [t, e] is episode e's t-th step
// (observation seen, action taken on it, reward that followed, the network's
// outputs on it); rows t >= lengths[e] are padding (zeros).
struct RecordedEpisodes {
  torch::Tensor observations;  // [L, E, obs...]
  torch::Tensor actions;       // [L, E] int64
  torch::Tensor rewards;       // [L, E]
  AgentOuts outs;              // every head, [L, E, ...]
  std::vector<int64_t> lengths;  // [E]; an episode cut at max_steps has length max_steps
  std::vector<bool> ended;       // [E] whether it ended (terminal or time limit) within max_steps

  int64_t episodes() const { return static_cast<int64_t>(lengths.size()); }
  // [L, E] 1 on real steps, 0 on padding.
  torch::Tensor mask() const;
};

// Plays `episodes` episodes of `env` at once (one batch slot each, seeds from
// `seed`), actions sampled from the policy, for at most `max_steps` steps.
RecordedEpisodes record_episodes(const AgentNet& net, const ParamMap& params, const std::string& env,
                                 int episodes, uint64_t seed, int max_steps);

}  // namespace disco
