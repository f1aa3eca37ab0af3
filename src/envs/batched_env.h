// A batch of environments stepped together on contiguous buffers.
//
// Conventions (those of the reference's batched Catch):
//  * Same-step auto-reset: on the step where slot i's episode ends
//    (terminal or truncated), rewards()[i] is that episode's last reward and
//    observations() row i is ALREADY the next episode's first observation.
//  * terminals()[i] = 1: the episode ended (discount 0). truncations()[i] = 1:
//    it was cut by the time limit spec().max_episode_steps (not a terminal);
//    final_observation(i) is then the observation it was cut on (before the
//    auto-reset), for learners that bootstrap from it. Valid until the next
//    step; not part of the saved state (a step's consumer reads it at once).
//  * Slot i draws from its own generator, derived from (seed, i), so results
//    do not depend on batch order or threading, and the whole batch (every
//    slot's state and generator) can be saved and restored exactly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "envs/environment.h"

namespace disco {

class BatchedEnv {
 public:
  explicit BatchedEnv(std::vector<std::unique_ptr<Environment>> envs);

  const EnvSpec& spec() const { return envs_.front()->spec(); }
  int batch_size() const { return static_cast<int>(envs_.size()); }
  int observation_size() const { return obs_size_; }

  // Seeds every slot from `seed` and starts a new episode in each.
  void reset(uint64_t seed);
  // Steps every slot; actions[i] in [0, num_actions). Throws on a bad action.
  void step(const int* actions);
  void step(const std::vector<int>& actions);

  // The buffers below live at fixed addresses for the batch's whole life
  // (step, reset and restore_state write into them), so views of them stay valid.
  const float* observations() const { return obs_.data(); }  // [B, obs...]
  const float* rewards() const { return rewards_.data(); }   // [B]
  const uint8_t* terminals() const { return terminals_.data(); }      // [B]
  const uint8_t* truncations() const { return truncations_.data(); }  // [B]
  // Whether any episode can be cut (the spec has a time limit).
  bool can_truncate() const { return max_steps_ > 0; }
  // The observation slot i's episode was cut on; meaningful where truncations()[i].
  const float* final_observation(int i) const {
    return final_obs_.data() + static_cast<size_t>(i) * obs_size_;
  }

  // Episodes that ended on the last step: done()[i] = terminal or truncated,
  // with that episode's undiscounted return and length.
  bool done(int i) const { return terminals_[i] || truncations_[i]; }
  float finished_return(int i) const { return finished_return_[i]; }
  int finished_length(int i) const { return finished_length_[i]; }
  // The achievements that episode unlocked (Environment::unlocked_achievements).
  uint64_t finished_achievements(int i) const { return finished_achievements_[i]; }
  // The environments' achievement names (none for most families).
  const std::vector<std::string>& achievement_names() const { return achievement_names_; }

  Environment& env(int i) { return *envs_[i]; }
  const Environment& env(int i) const { return *envs_[i]; }
  Rng& rng(int i) { return rngs_[i]; }
  const Rng& rng(int i) const { return rngs_[i]; }

  // Everything above (environment states, generators, buffers, episode
  // counters) as bytes, and back. Restoring into a batch of another
  // environment or size, or from damaged bytes, throws and leaves the batch
  // unchanged.
  std::vector<uint8_t> save_state() const;
  void restore_state(const std::vector<uint8_t>& bytes);

 private:
  // restore_state without the rollback: may leave a partial state on error.
  void read_state(const std::vector<uint8_t>& bytes);

  std::vector<std::unique_ptr<Environment>> envs_;
  std::vector<Rng> rngs_;
  int obs_size_ = 0;
  int num_actions_ = 0;
  int max_steps_ = 0;
  std::vector<float> obs_;
  std::vector<float> final_obs_;  // [B, obs], rows of cut episodes
  std::vector<float> rewards_;
  std::vector<uint8_t> terminals_;
  std::vector<uint8_t> truncations_;
  std::vector<int> episode_length_;
  std::vector<float> episode_return_;
  std::vector<float> finished_return_;
  std::vector<int> finished_length_;
  std::vector<std::string> achievement_names_;
  std::vector<uint64_t> finished_achievements_;  // saved only where there are achievements
};

}  // namespace disco
