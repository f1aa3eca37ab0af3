// Batched actors: step a BatchedEnv with the agent network and record
// rollouts [T+1, B, ...] in the reference's ActorRollout convention
// (core/types.h): entry t holds the observation seen at t, the action taken
// on it, and the reward and discount that ARRIVED with it (discount 0 on a
// LAST step). Rollouts follow one another without overlap, as the reference
// notebook's: the transition out of a rollout's last step only appears as
// the reward of the next rollout's first entry (which learners ignore).
//
// Actions are sampled from softmax(logits) with the actor's own Rng, so the
// whole actor (environments, generators, pending reward/discount) saves and
// restores exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/types.h"
#include "envs/batched_env.h"
#include "nets/agent_net.h"

namespace disco {

// Episodes that ended during a rollout.
struct EpisodeStats {
  int64_t episodes = 0;
  double return_sum = 0;
  int64_t positive = 0;  // episodes with a return > 0 (Catch: caught)
  // unlocked[k]: episodes that unlocked achievement k (BatchedEnv::achievement_names);
  // empty for environments without achievements.
  std::vector<int64_t> unlocked;

  // Adds `other`'s episodes to these.
  void add(const EpisodeStats& other);
};

// An action drawn from probabilities p[0..n) by inverse-CDF sampling with
// one uniform draw of `rng` (the last action if rounding leaves u above the sum).
inline int sample_from_probs(const double* p, int n, Rng& rng) {
  const double u = rng.uniform();
  double cum = 0;
  for (int k = 0; k < n; ++k) {
    cum += p[k];
    if (u < cum) return k;
  }
  return n - 1;
}

// The same rollout on `device`.
Rollout rollout_to_device(const Rollout& r, torch::Device device);

class Actor {
 public:
  Actor(BatchedEnv env, uint64_t seed, int rollout_length, std::vector<std::string> heads,
        torch::Device device);

  // One rollout of `length` time steps (0: rollout_length) with `params`.
  Rollout collect(const AgentNet& net, const ParamMap& params, EpisodeStats& stats, int length = 0);

  int64_t env_steps_per_rollout() const { return int64_t{rollout_length_} * env_.batch_size(); }
  const BatchedEnv& env() const { return env_; }
  const Rng& action_rng() const { return rng_; }

  std::vector<uint8_t> save_state() const;
  void restore_state(const std::vector<uint8_t>& bytes);

 private:
  BatchedEnv env_;
  Rng rng_;
  int rollout_length_;
  std::vector<std::string> heads_;
  torch::Device device_;
  std::vector<float> reward_;    // [B] arriving with the current observation
  std::vector<float> discount_;  // [B]
  // With a time limit: whether the current observation follows a cut, and
  // the observation the cut episode ended on ([B, obs]).
  std::vector<float> truncated_;
  std::vector<float> final_obs_;
  std::vector<int> actions_;
};

}  // namespace disco
