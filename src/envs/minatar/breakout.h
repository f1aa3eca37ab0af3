// MinAtar Breakout: bounce a ball off a paddle to break three rows of bricks.
//
// Reference: Young & Tian, "MinAtar" (2019), github.com/kenjyoung/MinAtar,
// minatar/environments/breakout.py (v1.0.15). Rules (as the original):
//  * The paddle moves along row 9 (left/right, clamped). Bricks fill rows
//    1-3. The ball starts in row 3 at column 0 heading down-right or at
//    column 9 heading down-left (one fair draw); it moves one cell
//    diagonally per step and its trail channel marks its previous cell.
//  * Walls reflect it horizontally (the ball keeps its column that step), the
//    top row vertically. Hitting a brick breaks it for +1 and reflects the
//    ball vertically (it stays in its row) -- unless the previous step also
//    broke a brick: then the ball passes into the brick cell untouched (the
//    original's "strike" latch, cleared by any step without brick contact).
//  * Reaching row 9: if no bricks remain, rows 1-3 refill first. If the ball
//    came from above the paddle it bounces straight back up; if it lands on
//    the paddle diagonally it reverses both ways; otherwise the episode ends.
//  * No randomness besides the start; difficulty_ramping is ignored.
//
// Observation {10, 10, 4}: channels 0 paddle, 1 ball, 2 trail, 3 brick.
// Minimal actions {noop, left, right}. Reward per step: 0 or 1.
//
// Parameters: full_action_set, sticky_action_prob, difficulty_ramping (see
// minatar_game.h for their defaults and meaning).
#pragma once

#include <array>
#include <cstdint>

#include "envs/minatar/minatar_game.h"

namespace disco {

// Everything Breakout needs to continue an episode; plain data (saved as bytes).
struct BreakoutState {
  int32_t ball_row = 3;
  int32_t ball_column = 0;
  int32_t ball_drow = 1;     // +1 moving down, -1 moving up
  int32_t ball_dcolumn = 1;  // +1 moving right, -1 moving left
  int32_t trail_row = 3;     // the ball's previous cell
  int32_t trail_column = 0;
  int32_t paddle_column = 4;
  int32_t strike = 0;                 // 1 if the last step broke a brick
  std::array<uint16_t, 10> bricks{};  // bit c of bricks[r]: a brick at (r, c)
};

class Breakout final : public MinAtarGame {
 public:
  static constexpr int kChannels = 4;
  enum Channel { kPaddle = 0, kBall = 1, kTrail = 2, kBrick = 3 };

  explicit Breakout(const MinAtarSettings& settings);

  void observe(float* out) const override;

  // The game state, readable and settable (tests and tools).
  const BreakoutState& state() const { return state_; }
  void set_state(const BreakoutState& state) { state_ = state; }

 protected:
  void reset_game(Rng& rng) override;
  StepOutcome act(int full_action, Rng& rng) override;
  void save_game(StateWriter& out) const override { out.put(state_); }
  void load_game(StateReader& in) override;

 private:
  BreakoutState state_;

 protected:
  std::string channel_glyphs() const override { return "=o*#"; }
  std::vector<std::string> channel_names() const override {
    return {"paddle", "ball", "trail", "brick"};
  }
};

}  // namespace disco
