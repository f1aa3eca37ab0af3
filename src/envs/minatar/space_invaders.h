// MinAtar Space Invaders: a cannon on the bottom row shoots at a block of
// aliens that marches sideways, drops a row at each wall and shoots back.
//
// Reference: Young & Tian, "MinAtar" (2019), github.com/kenjyoung/MinAtar,
// minatar/environments/space_invaders.py (v1.0.15). Rules (as the original):
//  * Start: cannon in row 9, column 5; 24 aliens fill rows 0-3, columns 2-7,
//    heading left; alien move interval 12 (countdown 12), alien shot
//    countdown 10, fire cooldown 0. No randomness at all.
//  * Step order: fire (when the cooldown is 0: a bullet under the cannon,
//    cooldown 5) else left/right; player bullets rise one row (vanishing past
//    row 0), enemy bullets fall one row (vanishing past row 9); an enemy
//    bullet or an alien on the cannon ends the episode.
//  * When the move countdown is 0 it restarts at min(aliens left, interval)
//    and the block shifts one column, or, if an alien touches the wall it is
//    heading for, turns round and drops a row (ending the episode if an alien
//    was already in row 9); alien contact is tested again. So the block
//    speeds up as it thins out, to one move per step for the last alien.
//  * Every 10th step (from step 11) the bottom alien of the column nearest the
//    cannon (ties: the lower column) drops a bullet on its own cell.
//  * Then each cell holding both an alien and a player bullet is cleared for
//    +1 (only here: a rising bullet and a falling alien can pass each other).
//  * With no aliens left a new block appears at the start cells (direction
//    and countdown kept); with difficulty_ramping the interval drops by 1
//    (floor 6).
//
// Observation {10, 10, 6}: channels 0 cannon, 1 alien, 2 alien moving left,
// 3 alien moving right (the alien layer copied into the one matching the
// heading), 4 player bullet, 5 enemy bullet. Minimal actions {noop, left,
// right, fire}. Reward per step: 0 to 2 (at most two player bullets fly).
//
// Parameters: full_action_set, sticky_action_prob, difficulty_ramping (see
// minatar_game.h for their defaults and meaning).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "envs/minatar/minatar_game.h"

namespace disco {

// Everything Space Invaders needs to continue an episode; plain data (saved
// as bytes). Grids are one bit mask per row: bit c of aliens[r] is (r, c).
struct SpaceInvadersState {
  std::array<uint16_t, 10> aliens{};
  std::array<uint16_t, 10> player_bullets{};
  std::array<uint16_t, 10> enemy_bullets{};
  int32_t cannon_column = 5;
  int32_t alien_direction = -1;  // -1 left, +1 right
  int32_t move_interval = 12;
  int32_t move_timer = 12;       // the block moves when it is 0
  int32_t alien_shot_timer = 10; // the nearest alien fires when it is 0
  int32_t fire_cooldown = 0;
  int32_t ramp_index = 0;
};

class SpaceInvaders final : public MinAtarGame {
 public:
  static constexpr int kChannels = 6;
  enum Channel {
    kCannon = 0,
    kAlien = 1,
    kAlienLeft = 2,
    kAlienRight = 3,
    kPlayerBullet = 4,
    kEnemyBullet = 5
  };

  explicit SpaceInvaders(const MinAtarSettings& settings);

  void observe(float* out) const override;
  std::string render() const override;

  // The game state, readable and settable (tests and tools).
  const SpaceInvadersState& state() const { return state_; }
  void set_state(const SpaceInvadersState& state) { state_ = state; }

 protected:
  void reset_game(Rng& rng) override;
  StepOutcome act(int full_action, Rng& rng) override;
  void save_game(StateWriter& out) const override { out.put(state_); }
  void load_game(StateReader& in) override;

 private:
  void move_aliens(bool& terminal);
  void alien_fires();

  SpaceInvadersState state_;
};

}  // namespace disco
