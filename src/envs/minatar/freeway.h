// MinAtar Freeway: lead a chicken up across eight lanes of traffic.
//
// Reference: Young & Tian, "MinAtar" (2019), github.com/kenjyoung/MinAtar,
// minatar/environments/freeway.py (v1.0.15). Rules (as the original):
//  * The chicken stays in column 4 and starts in row 9. Up/down moves it one
//    row, but only when its cooldown is 0; a move sets the cooldown to 3,
//    which drops by 1 per step (so the first move can happen at step 4).
//  * Reaching row 0 gives +1, sends the chicken back to row 9 and redraws
//    every car's speed and direction (positions kept).
//  * One car per row 1-8, all starting in column 0. Speeds: eight draws in
//    1..5, then eight fair direction draws. A car of speed s moves one column
//    every s + 1 steps, wrapping around. A car on the chicken's cell (checked
//    before and after the car moves) sends it back to row 9, with no penalty.
//  * TIME LIMIT: the episode ends after exactly 2501 steps. As in the
//    original this is a TERMINATION (terminal, discount 0), not a truncation;
//    spec().max_episode_steps stays 0.
//  * The trail marks the cell behind each car (wrapped), in the channel of
//    its speed. difficulty_ramping is ignored.
//
// Observation {10, 10, 7}: channels 0 chicken, 1 car, 2-6 trail of a car of
// speed 1-5. Minimal actions {noop, up, down}. Reward per step: 0 or 1.
//
// Parameters: full_action_set, sticky_action_prob, difficulty_ramping (see
// minatar_game.h for their defaults and meaning).
#pragma once

#include <array>
#include <cstdint>

#include "envs/minatar/minatar_game.h"

namespace disco {

struct FreewayCar {
  int8_t column = 0;
  int8_t timer = 0;      // moves when 0, then restarts at `speed`
  int8_t speed = 1;      // 1..5: moves every speed + 1 steps
  int8_t direction = 1;  // +1 right, -1 left
};

// Everything Freeway needs to continue an episode; plain data (saved as bytes).
struct FreewayState {
  static constexpr int kCars = 8;  // car i drives in row i + 1
  int32_t chicken_row = 9;
  int32_t cooldown = 3;       // steps until the chicken may move again
  int32_t steps_left = 2500;  // the episode ends when this drops below 0
  std::array<FreewayCar, kCars> cars{};
};

class Freeway final : public MinAtarGame {
 public:
  static constexpr int kChannels = 7;
  enum Channel { kChicken = 0, kCar = 1, kTrailSpeed1 = 2 };
  static constexpr int kChickenColumn = 4;
  static constexpr int kMoveCooldown = 3;
  static constexpr int kTimeLimit = 2500;  // steps_left at reset; 2501 steps in all

  explicit Freeway(const MinAtarSettings& settings);

  void observe(float* out) const override;

  // The game state, readable and settable (tests and tools).
  const FreewayState& state() const { return state_; }
  void set_state(const FreewayState& state) { state_ = state; }

 protected:
  void reset_game(Rng& rng) override;
  StepOutcome act(int full_action, Rng& rng) override;
  void save_game(StateWriter& out) const override { out.put(state_); }
  void load_game(StateReader& in) override;

 private:
  // New speeds and directions for all cars; timers restart at the new speeds.
  void draw_speeds(Rng& rng);

  FreewayState state_;

 protected:
  std::string channel_glyphs() const override { return "C=12345"; }
  std::vector<std::string> channel_names() const override {
    return {"chicken",       "car",           "trail speed 1", "trail speed 2",
            "trail speed 3", "trail speed 4", "trail speed 5"};
  }
};

}  // namespace disco
