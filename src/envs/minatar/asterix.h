// MinAtar Asterix: walk among lanes of passing objects, pick up gold, avoid
// enemies.
//
// Reference: Young & Tian, "MinAtar" (2019), github.com/kenjyoung/MinAtar,
// minatar/environments/asterix.py (v1.0.15). Rules (as the original):
//  * The player starts at row 5, column 5 and moves one cell per step
//    (columns 0-9, rows 1-8). Rows 1-8 are eight lanes holding at most one
//    object each, gold (+1 when touched, then removed) or an enemy (touching
//    it ends the episode; reward taken on that step still counts).
//  * Every spawn period (10) steps, from step 11, an object appears: a draw
//    for its side (column 0 moving right or column 9 moving left), one for
//    gold (probability 1/3), then one for a free lane (if any).
//  * Every move period (5) steps, from step 6, every object shifts one
//    column and leaves the board past the edge. Contact is checked after the
//    player moves and again after the objects move.
//  * Ramping (difficulty_ramping): every 102 steps the spawn period drops by
//    1 and every second time the move period too (floor 1 each); it stops
//    once both are 1 (step 918).
//  * The trail channel marks the on-board cell behind each object.
//
// Observation {10, 10, 4}: channels 0 player, 1 enemy, 2 trail, 3 gold.
// Minimal actions {noop, left, up, right, down}. Reward per step: 0 or more
// (integer; in practice 0 or 1).
//
// Parameters: full_action_set, sticky_action_prob, difficulty_ramping (see
// minatar_game.h for their defaults and meaning).
#pragma once

#include <array>
#include <cstdint>

#include "envs/minatar/minatar_game.h"

namespace disco {

struct AsterixObject {
  int8_t present = 0;
  int8_t column = 0;
  int8_t moving_right = 0;
  int8_t gold = 0;
};

// Everything Asterix needs to continue an episode; plain data (saved as bytes).
struct AsterixState {
  static constexpr int kLanes = 8;  // lane i is row i + 1
  int32_t player_row = 5;
  int32_t player_column = 5;
  int32_t spawn_period = 10;
  int32_t spawn_timer = 10;  // spawns when 0 at the start of a step
  int32_t move_period = 5;
  int32_t move_timer = 5;    // objects move when 0
  int32_t ramp_timer = 100;  // a ramp happens when it would drop below 0
  int32_t ramp_index = 0;    // ramps so far
  std::array<AsterixObject, kLanes> lanes{};
};

class Asterix final : public MinAtarGame {
 public:
  static constexpr int kChannels = 4;
  enum Channel { kPlayer = 0, kEnemy = 1, kTrail = 2, kGold = 3 };
  static constexpr int kInitialSpawnPeriod = 10;
  static constexpr int kInitialMovePeriod = 5;
  static constexpr int kRampInterval = 100;

  explicit Asterix(const MinAtarSettings& settings);

  void observe(float* out) const override;

  // The game state, readable and settable (tests and tools).
  const AsterixState& state() const { return state_; }
  void set_state(const AsterixState& state) { state_ = state; }

 protected:
  void reset_game(Rng& rng) override;
  StepOutcome act(int full_action, Rng& rng) override;
  void save_game(StateWriter& out) const override { out.put(state_); }
  void load_game(StateReader& in) override;

 private:
  void spawn(Rng& rng);
  // Gold on the player's cell is collected (+1); an enemy there ends the game.
  void touch(StepOutcome& out);
  void ramp();

  AsterixState state_;

 protected:
  std::string channel_glyphs() const override { return "AE-$"; }
  std::vector<std::string> channel_names() const override {
    return {"player", "enemy", "trail", "gold"};
  }
};

}  // namespace disco
