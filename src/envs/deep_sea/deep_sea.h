// DeepSea: a deep-exploration chain. The agent starts at the top-left cell of
// an N x N grid and falls one row per step; each step it moves one column
// left or right. Moving right costs 0.01 / N; moving right from the bottom
// row's rightmost column earns +1, so the optimal return is 0.99 and every
// other policy earns at most 0. The episode ends (terminal) after N steps.
//
// Reference: Osband et al., "Behaviour Suite for Reinforcement Learning"
// (bsuite, 2020), bsuite/environments/deep_sea.py (deterministic version).
//
// Action mapping (bsuite): with randomize_actions, each cell (row, column)
// has its own fixed coin deciding whether action 1 or action 0 means
// "right", fixed for the environment's lifetime (bsuite draws it in the
// constructor from `mapping_seed`, None by default, and its sweep passes each
// environment's seed). Here:
//  * mapping_seed >= 0: drawn when the environment is built from that seed;
//    every episode and every slot of a batch share it.
//  * mapping_seed = -1 (default): drawn from the environment's own generator
//    at its first reset, so each slot of a batch (seed + slot) has its own
//    mapping, kept for the environment's lifetime and saved with its state
//    (a later BatchedEnv::reset with another seed keeps it).
// Our coins come from our own generator, so a given seed gives a different
// map than bsuite's numpy one. Without randomize_actions, action 1 is always
// right.
//
// Observation: [N, N] floats, 1 at the agent's cell (all zero once the agent
// has fallen past the last row, as in bsuite).
//
// Parameters:
//   size               int   N, rows and columns, 1..1000     (default = 10)
//   randomize_actions  bool  per-cell random action mapping  (default = true)
//   mapping_seed       int   seed of that mapping, -1: per env  (default = -1)
#pragma once

#include <cstdint>
#include <vector>

#include "envs/env_params.h"
#include "envs/environment.h"

namespace disco {

struct DeepSeaSettings {
  // Bounds the N x N grid (and so the buffers a batch allocates for it).
  static constexpr int kMaxSize = 1000;
  int size = 10;
  bool randomize_actions = true;
  int mapping_seed = -1;
  static DeepSeaSettings from(EnvParams& p);
};

class DeepSea final : public Environment {
 public:
  explicit DeepSea(const DeepSeaSettings& settings);

  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng& rng) override;
  StepOutcome step(int action, Rng& rng) override;
  void observe(float* out) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  std::string render() const override;

  int row() const { return row_; }
  int column() const { return column_; }
  // The action that moves right from (row, column).
  int right_action(int row, int column) const { return right_action_[row * settings_.size + column]; }

 private:
  DeepSeaSettings settings_;
  EnvSpec spec_;
  void draw_mapping(Rng& rng);

  std::vector<uint8_t> right_action_;  // [N * N]
  bool mapping_drawn_ = false;
  int row_ = 0;
  int column_ = 0;
};

struct EnvEntry;
EnvEntry deep_sea_env_entry();

}  // namespace disco
