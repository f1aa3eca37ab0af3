// The environment API every environment family implements.
//
// An `Environment` is ONE plain C++ environment instance: small, single
// threaded, no allocation per step. It draws randomness only from the `Rng`
// passed in, so a batched owner can keep one generator per slot (seed +
// slot index, as EnvPool does) and save it with the state.
//
// Batching, auto-reset, time limits and episode bookkeeping live in
// `BatchedEnv` (batched_env.h); an environment only knows its own dynamics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/state_io.h"

namespace disco {

struct EnvSpec {
  std::string name;                    // canonical, e.g. "catch(columns=8,rows=8)"
  std::vector<int> observation_shape;  // e.g. {rows, columns} or {H, W, C}
  int num_actions = 0;                 // discrete actions 0..num_actions-1
  int max_episode_steps = 0;           // time limit (truncation), 0 = none
  float min_reward = 0.f;              // bounds of a single step's reward
  float max_reward = 0.f;
  float min_observation = 0.f;         // bounds of any observation entry
  float max_observation = 1.f;

  int observation_size() const {
    int n = 1;
    for (int d : observation_shape) n *= d;
    return n;
  }
};

// What one step of one environment reports. `terminal`: the episode ended
// (discount 0). `truncated`: it was cut by a time limit (bootstrap from the
// last observation); a step is never both. An environment that truncates
// declares its limit in EnvSpec::max_episode_steps.
struct StepOutcome {
  float reward = 0.f;
  bool terminal = false;
  bool truncated = false;
};

class Environment {
 public:
  virtual ~Environment() = default;

  virtual const EnvSpec& spec() const = 0;
  // Starts a new episode.
  virtual void reset(Rng& rng) = 0;
  // Applies `action` (0 <= action < num_actions) to the current episode.
  virtual StepOutcome step(int action, Rng& rng) = 0;
  // Writes the current observation: exactly spec().observation_size() floats.
  virtual void observe(float* out) const = 0;

  // Everything needed to continue the episode exactly (not the RNG: its owner
  // saves that).
  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;

  // A picture of the current state for people (`disco play`), one line per row.
  virtual std::string render() const;
  // Names of the actions, for people; defaults to their numbers.
  virtual std::vector<std::string> action_names() const;

  // Achievements: named goals an episode can unlock (Crafter's 22), at most
  // 64. Environments without them keep the defaults (none).
  virtual std::vector<std::string> achievement_names() const { return {}; }
  // Bit k is set when achievement k was unlocked in the current episode.
  virtual uint64_t unlocked_achievements() const { return 0; }
};

}  // namespace disco
