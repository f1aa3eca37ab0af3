// A meta-training agent's state as checkpoint entries, beside
// agent/checkpoint.h (which does the same for a training run's learner): the
// learner, the meta value function with its optimiser and EMAs, and the
// rollouts that a window keeps. Entries are float32 CPU tensors under a
// prefix; reading checks every shape against a freshly built state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/actor.h"
#include "meta/meta_gradient.h"

namespace disco {

// The entries of `in` under `prefix`, the prefix removed; and the reverse.
ParamMap entries_under(const ParamMap& in, const std::string& prefix);
void put_under(ParamMap& out, const std::string& prefix, const ParamMap& in);

// The entries under `prefix` named and shaped as those of `like`, on
// `device` in like's dtypes. Throws std::invalid_argument naming a missing
// entry or a wrong shape.
ParamMap load_like(const ParamMap& in, const std::string& prefix, const ParamMap& like,
                   torch::Device device);

// A checkpoint's `n` non-negative counters `name`; throws otherwise.
std::vector<int64_t> checkpoint_counts(const ParamMap& in, const std::string& name, int64_t n);

void put_agent_state(ParamMap& out, const std::string& prefix, const AgentState& s);
AgentState get_agent_state(const ParamMap& in, const std::string& prefix, const AgentState& like,
                           torch::Device device);

void put_rollout(ParamMap& out, const std::string& prefix, const Rollout& r);
Rollout get_rollout(const ParamMap& in, const std::string& prefix, torch::Device device);

}  // namespace disco
