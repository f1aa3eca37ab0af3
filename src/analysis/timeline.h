// Figure 4a of the paper: how the prediction y behaves along an episode.
// Per recorded step: y's confidence (the negative entropy of softmax(y)),
// the policy's entropy, the agent's value and the reward.
#pragma once

#include "analysis/episodes.h"

namespace disco {

struct Timeline {
  torch::Tensor y_confidence;    // [L, E] Σ softmax(y)·log softmax(y) (NaN without a y head)
  torch::Tensor policy_entropy;  // [L, E]
  torch::Tensor value;           // [L, E] Σ_a π(a)·q(a) from the categorical q (or the v head)
  torch::Tensor reward;          // [L, E]
};

// The agent's scalar value per step: Σ_a π(a)·q_value(a) for Disco agents
// ("q" [.., A, NB]), the v head for actor-critic ones ([.., NB] categorical
// or [.., 1]); NaN without either.
torch::Tensor agent_value(const AgentOuts& outs, double max_abs_value);

Timeline compute_timeline(const RecordedEpisodes& episodes, double max_abs_value);

}  // namespace disco
