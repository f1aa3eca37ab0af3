// Sokoban: the player pushes boxes onto targets in a walled room. A box can
// be pushed (never pulled) into a free cell; two boxes in a row, or a box
// against a wall, do not move. Every level is solvable.
//
// References: Racanière et al. 2017, "Imagination-Augmented Agents" and
// DeepMind's Boxoban levels (10x10, 4 boxes); Schrader 2018, gym-sokoban
// (github.com/mpSchrader/gym-sokoban), whose generator and rewards we follow.
// Levels are generated at every reset (sokoban_generator.h) or, with
// levels_file, drawn uniformly from a Boxoban-format file
// (sokoban_level_file.h).
//
// Actions: 0 up, 1 down, 2 left, 3 right; each walks, or pushes the box in
// front. Boxoban's four-action setting of the I2A paper; gym-sokoban's extra
// no-op and move-without-push actions are left out.
// Rewards per step: -0.1; +1 for pushing a box onto a target, -1 for pushing
// one off; +10 more when every box is on a target, which ends the episode
// (terminal). After max_steps steps the episode is cut (truncated, not
// terminal; also spec().max_episode_steps).
//
// Observation: [rows, columns, 7] one-hot cell states: 0 wall, 1 empty floor,
// 2 empty target, 3 box, 4 box on target, 5 player, 6 player on target.
//
// Parameters:
//   size         int     rows and columns, 3..100              (default = 10)
//   rows         int     rows, overrides size                  (default = size)
//   columns      int     columns, overrides size               (default = size)
//   boxes        int     boxes of generated levels             (default = 4)
//   max_steps    int     steps before truncation               (default = 120)
//   levels_file  string  Boxoban-format file to draw levels from, each at
//                        most rows x columns (padded with walls);
//                        no file: generate levels              (default = none)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "envs/env_params.h"
#include "envs/environment.h"
#include "envs/sokoban/sokoban_generator.h"
#include "envs/sokoban/sokoban_level.h"

namespace disco {

struct SokobanSettings {
  // Bounds the room (and so the buffers a batch allocates for it).
  static constexpr int kMaxSide = 100;
  int rows = 10;
  int columns = 10;
  int boxes = 4;
  int max_steps = 120;
  std::string levels_file;  // empty: generate
  static SokobanSettings from(EnvParams& p);
};

class Sokoban final : public Environment {
 public:
  static constexpr float kStepReward = -0.1f;
  static constexpr float kBoxOnTargetReward = 1.f;
  static constexpr float kSolvedReward = 10.f;

  explicit Sokoban(const SokobanSettings& settings);

  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng& rng) override;
  StepOutcome step(int action, Rng& rng) override;
  void observe(float* out) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  std::string render() const override;
  std::vector<std::string> action_names() const override { return {"up", "down", "left", "right"}; }

  // The current state; setting it starts a new episode on `level`.
  const SokobanLevel& level() const { return level_; }
  void set_level(const SokobanLevel& level);
  int steps() const { return steps_; }

 private:
  void start_episode();

  SokobanSettings settings_;
  EnvSpec spec_;
  std::unique_ptr<SokobanGenerator> generator_;                // without a file
  std::shared_ptr<const std::vector<SokobanLevel>> levels_;    // with a file
  SokobanLevel level_;
  int boxes_ = 0;
  int boxes_on_target_ = 0;
  int steps_ = 0;
};

struct EnvEntry;
EnvEntry sokoban_env_entry();

}  // namespace disco
