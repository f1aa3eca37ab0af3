// MinAtarGame: the part all five MinAtar games share (the original's
// `minatar.Environment` wrapper plus gym's minimal/full action sets).
//
// Reference: Young & Tian, "MinAtar: An Atari-Inspired Testbed for Thorough
// and Reproducible Reinforcement Learning Experiments" (2019);
// github.com/kenjyoung/MinAtar (v1.0.15). /work/shared/minatar_spec.md
// paraphrases the rules; where they disagree the original wins.
//
// What the base does:
//  * Actions. The full set has 6 actions: 0 no-op, 1 left, 2 up, 3 right,
//    4 down, 5 fire (gym "-v0"). Each game names a minimal subset (gym "-v1"),
//    the default here; agent action i means full action minimal_set[i].
//  * Sticky actions. Every step first draws u ~ U[0,1) from the step's Rng;
//    if u < sticky_action_prob the previously EXECUTED full action replaces
//    the requested one. Whatever runs becomes the new "previous" action. It
//    starts at 0 (no-op) at construction and is NOT cleared by reset, as in
//    the original. The draw happens on every step, even after the game ended,
//    so the sticky draws and the game's own draws share one stream in the
//    original's order.
//  * An ended game stays ended: further steps return reward 0, terminal.
//  * Observation: {10, 10, C} floats (0 or 1), C-order [row][column][channel],
//    row 0 at the top, channels in the original's order.
//  * Save/load of the shared part (previous action, ended flag) around the
//    game's own state.
//
// Parameters (all games; read by MinAtarSettings::from):
//   full_action_set     bool    use all 6 actions instead of the minimal set (default = false)
//   sticky_action_prob  double  probability of repeating the previous action (default = 0.1)
//   difficulty_ramping  bool    games speed up over time; only Asterix, Seaquest and
//                               Space Invaders use it, the others accept and ignore it
//                               (default = true)
//
// How a game uses it: derive from MinAtarGame, pass the game's name, channel
// count, minimal action set and reward bounds to the constructor, and
// implement
//   reset_game(rng)         start a new episode (the base clears "ended"),
//   act(full_action, rng)   one step of the game proper with a FULL action
//                           index 0..5 (already mapped and made sticky);
//                           return the reward and whether the game ended,
//   observe(out)            write all 100*C floats (clear_observation() then
//                           mark cells with obs_index()),
//   save_game / load_game   the game's own state.
// Keep the game's state in fixed-size members: act() and observe() run once
// per environment step and must not allocate.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "envs/env_params.h"
#include "envs/environment.h"

namespace disco {

// The full MinAtar action set (indices of the original's action_map).
enum MinAtarAction : int { kNoop = 0, kLeft = 1, kUp = 2, kRight = 3, kDown = 4, kFire = 5 };
inline constexpr int kMinAtarFullActions = 6;
inline constexpr int kMinAtarSize = 10;  // boards are 10 x 10

struct MinAtarSettings {
  bool full_action_set = false;
  double sticky_action_prob = 0.1;
  bool difficulty_ramping = true;
  // Reads the three parameters above; throws std::invalid_argument when
  // sticky_action_prob is outside [0, 1].
  static MinAtarSettings from(EnvParams& p);
};

class MinAtarGame : public Environment {
 public:
  const EnvSpec& spec() const final { return spec_; }
  void reset(Rng& rng) final;
  StepOutcome step(int action, Rng& rng) final;
  void save(StateWriter& out) const final;
  void load(StateReader& in) final;
  std::vector<std::string> action_names() const override;
  // One character per cell: the glyph of the first set channel (channel
  // order is the priority), '.' for empty; then a legend line.
  std::string render() const override;

  const MinAtarSettings& settings() const { return settings_; }
  int channels() const { return channels_; }
  // The full action that agent action `action` stands for.
  int full_action(int action) const { return action_map_[action]; }
  // The last executed full action (what a sticky step repeats).
  int previous_action() const { return previous_action_; }
  bool game_over() const { return game_over_; }

 protected:
  MinAtarGame(const std::string& game, int channels, const std::vector<int>& minimal_actions,
              float min_reward, float max_reward, const MinAtarSettings& settings);

  virtual void reset_game(Rng& rng) = 0;
  virtual StepOutcome act(int full_action, Rng& rng) = 0;
  virtual void save_game(StateWriter& out) const = 0;
  virtual void load_game(StateReader& in) = 0;

  bool ramping() const { return settings_.difficulty_ramping; }

  // For render(): one glyph per channel and the channels' names, in channel
  // order. Games override these; the defaults are digits and numbers.
  virtual std::string channel_glyphs() const;
  virtual std::vector<std::string> channel_names() const;

  // Offset of (row, column, channel) in an observation with `channels` channels.
  static constexpr int obs_index(int row, int column, int channel, int channels) {
    return (row * kMinAtarSize + column) * channels + channel;
  }
  void clear_observation(float* out) const {
    std::memset(out, 0, sizeof(float) * kMinAtarSize * kMinAtarSize * channels_);
  }

 private:
  MinAtarSettings settings_;
  EnvSpec spec_;
  int channels_;
  std::array<int, kMinAtarFullActions> action_map_{};
  int previous_action_ = kNoop;
  bool game_over_ = false;
};

}  // namespace disco
