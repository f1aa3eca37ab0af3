// MinAtar Seaquest: steer a submarine, shoot fish and enemy subs, rescue
// divers and surface before the oxygen runs out.
//
// Reference: Young & Tian, "MinAtar" (2019), github.com/kenjyoung/MinAtar,
// minatar/environments/seaquest.py (v1.0.15). Rules (as the original):
//  * Start: sub at row 0, column 5, facing left; oxygen 200; no divers;
//    enemy spawn period 20, enemy move period 5. The first enemy spawns on
//    step 21, then every spawn-period steps: a fair draw for the side (left
//    edge moving right, else right edge moving left), a 1/3 draw for "sub"
//    (else fish), a row 1-8; the spawn is dropped if an enemy in that row
//    travels the other way. A diver spawns on step 31, then every 30 steps.
//  * Player: fire (when the cooldown is 0; cooldown 5) puts a bullet on the
//    sub's cell heading where the sub faces; left/right move and turn;
//    up/down move within rows 0-8.
//  * Step order (lists are walked newest first, as the original does):
//    player bullets move one cell, killing the oldest fish (else enemy sub)
//    on the cell they reach for +1; divers move every 6th step and are
//    picked up on contact while fewer than 6 are aboard; enemy subs move
//    every move-period+1 steps, end the episode on contact with the player
//    (before or after moving), die for +1 when they move onto a player
//    bullet, and fire a bullet from their cell every 11th step (even on the
//    step they die); enemy bullets move one cell and end the episode on
//    contact before or after moving; fish move like enemy subs.
//  * Oxygen: if it is already <= 0 the episode ends; every step below row 0
//    costs 1. Arriving at row 0 from below ends the episode with 0 divers
//    aboard; otherwise oxygen refills to 200, and with exactly 6 divers the
//    reward is floor(oxygen * 10 / 200) and the count is zeroed; then the
//    count always drops by one (so after a full surfacing it is -1, as in
//    the original, and only a count of exactly 0 makes surfacing fatal).
//  * Ramping (difficulty_ramping): each surfacing lowers the enemy spawn
//    period by 1 (floor 1); the 2nd, 4th and 6th also lower the enemy move
//    period by 1 (floor 2).
//
// Observation {10, 10, 10}: channels 0 sub front, 1 sub back, 2 player
// bullet, 3 trail (the cell behind every fish, enemy sub and diver), 4 enemy
// bullet, 5 fish, 6 enemy sub, 7 oxygen bar (row 9, columns
// 0..oxygen/20-1), 8 diver bar (row 9, `divers` cells ending at column 8),
// 9 diver. Minimal actions: all six. Reward per step: 0 to 11 (two player
// bullets at most, plus at most 9 for a full surfacing).
//
// Parameters: full_action_set, sticky_action_prob, difficulty_ramping (see
// minatar_game.h for their defaults and meaning).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "envs/minatar/minatar_game.h"

namespace disco {

// A fixed-capacity list that keeps insertion order (the original's Python
// lists: which enemy a bullet hits depends on that order).
template <typename T, int kCapacity>
struct OrderedList {
  std::array<T, kCapacity> items{};
  int32_t size = 0;

  // Drops the item when full; the capacities below are never reached.
  void push_back(const T& item) {
    if (size < kCapacity) items[size++] = item;
  }
  void erase(int i) {
    for (int j = i + 1; j < size; ++j) items[j - 1] = items[j];
    --size;
  }
  T& operator[](int i) { return items[i]; }
  const T& operator[](int i) const { return items[i]; }
};

struct SeaquestBullet {
  int8_t column = 0;
  int8_t row = 0;
  int8_t moving_right = 0;
};

// Fish, enemy subs and divers; fish and divers leave shot_timer unused.
struct SeaquestMover {
  int8_t column = 0;
  int8_t row = 0;
  int8_t moving_right = 0;
  int8_t move_timer = 0;  // moves when it is 0, then restarts at the period
  int8_t shot_timer = 0;  // enemy subs fire when it is 0, then restart at 10
};

// Everything Seaquest needs to continue an episode; plain data (saved as bytes).
struct SeaquestState {
  int32_t sub_column = 5;
  int32_t sub_row = 0;
  int32_t sub_facing_right = 0;
  int32_t oxygen = 200;
  int32_t divers_aboard = 0;      // can go negative, as in the original
  int32_t surfaced = 1;           // at row 0 since the last surfacing
  int32_t shot_timer = 0;         // player fire cooldown
  int32_t enemy_spawn_period = 20;
  int32_t enemy_spawn_timer = 20;
  int32_t diver_spawn_timer = 30;
  int32_t enemy_move_period = 5;
  int32_t ramp_index = 0;
  // Bounds: player bullets live <= 10 steps and fire at most every 5;
  // enemies live <= 60 steps and spawn at most one per step; divers spawn
  // every 30 steps and live <= 60.
  OrderedList<SeaquestBullet, 4> player_bullets;
  OrderedList<SeaquestBullet, 64> enemy_bullets;
  OrderedList<SeaquestMover, 64> fish;
  OrderedList<SeaquestMover, 64> enemy_subs;
  OrderedList<SeaquestMover, 8> divers;
};

class Seaquest final : public MinAtarGame {
 public:
  static constexpr int kChannels = 10;
  enum Channel {
    kSubFront = 0,
    kSubBack = 1,
    kPlayerBullet = 2,
    kTrail = 3,
    kEnemyBullet = 4,
    kFish = 5,
    kEnemySub = 6,
    kOxygenBar = 7,
    kDiverBar = 8,
    kDiver = 9
  };
  static constexpr int kMaxOxygen = 200;
  static constexpr int kMaxDivers = 6;

  explicit Seaquest(const MinAtarSettings& settings);

  void observe(float* out) const override;
  std::string render() const override;

  // The game state, readable and settable (tests and tools).
  const SeaquestState& state() const { return state_; }
  void set_state(const SeaquestState& state) { state_ = state; }

 protected:
  void reset_game(Rng& rng) override;
  StepOutcome act(int full_action, Rng& rng) override;
  void save_game(StateWriter& out) const override { out.put(state_); }
  void load_game(StateReader& in) override;

 private:
  void spawn_enemy(Rng& rng);
  void spawn_diver(Rng& rng);
  void move_player(int full_action);
  int move_player_bullets();
  void move_divers();
  int move_enemies(OrderedList<SeaquestMover, 64>& enemies, bool fire, bool& terminal);
  void move_enemy_bullets(bool& terminal);
  int surface();

  SeaquestState state_;
};

}  // namespace disco
