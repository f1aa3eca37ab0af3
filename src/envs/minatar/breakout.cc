#include "envs/minatar/breakout.h"

#include <algorithm>
#include <stdexcept>

namespace disco {
namespace {

constexpr uint16_t kFullRow = (1u << kMinAtarSize) - 1;
constexpr int kPaddleRow = kMinAtarSize - 1;

void fill_bricks(BreakoutState& s) {
  for (int r = 1; r <= 3; ++r) s.bricks[r] = kFullRow;
}

bool no_bricks(const BreakoutState& s) {
  for (uint16_t row : s.bricks) {
    if (row) return false;
  }
  return true;
}

bool on_board(int v) { return v >= 0 && v < kMinAtarSize; }

}  // namespace

Breakout::Breakout(const MinAtarSettings& settings)
    : MinAtarGame("minatar_breakout", kChannels, {kNoop, kLeft, kRight}, 0.f, 1.f, settings) {}

void Breakout::reset_game(Rng& rng) {
  state_ = BreakoutState{};
  const bool from_right = rng.uniform_int(2) == 1;
  state_.ball_column = from_right ? kMinAtarSize - 1 : 0;
  state_.ball_dcolumn = from_right ? -1 : 1;
  state_.ball_drow = 1;
  state_.trail_row = state_.ball_row;
  state_.trail_column = state_.ball_column;
  fill_bricks(state_);
}

StepOutcome Breakout::act(int full_action, Rng& /*rng*/) {
  BreakoutState& s = state_;
  StepOutcome out;
  if (full_action == kLeft) s.paddle_column = std::max(0, s.paddle_column - 1);
  if (full_action == kRight) s.paddle_column = std::min(kMinAtarSize - 1, s.paddle_column + 1);

  s.trail_row = s.ball_row;
  s.trail_column = s.ball_column;
  int row = s.ball_row + s.ball_drow;
  int column = s.ball_column + s.ball_dcolumn;
  if (!on_board(column)) {
    column = std::clamp(column, 0, kMinAtarSize - 1);
    s.ball_dcolumn = -s.ball_dcolumn;
  }
  bool touched_brick = false;
  if (row < 0) {
    row = 0;
    s.ball_drow = -s.ball_drow;
  } else if (s.bricks[row] >> column & 1) {
    touched_brick = true;
    if (!s.strike) {  // a second brick in a row is passed through (the latch)
      out.reward = 1.f;
      s.strike = 1;
      s.bricks[row] &= static_cast<uint16_t>(~(1u << column));
      row = s.trail_row;
      s.ball_drow = -s.ball_drow;
    }
  } else if (row == kPaddleRow) {
    if (no_bricks(s)) fill_bricks(s);
    if (s.trail_column == s.paddle_column) {  // came straight down onto it
      s.ball_drow = -s.ball_drow;
      row = s.trail_row;
    } else if (column == s.paddle_column) {  // caught on the paddle's corner
      s.ball_drow = -s.ball_drow;
      s.ball_dcolumn = -s.ball_dcolumn;
      row = s.trail_row;
    } else {
      out.terminal = true;
    }
  }
  if (!touched_brick) s.strike = 0;
  s.ball_row = row;
  s.ball_column = column;
  return out;
}

void Breakout::observe(float* out) const {
  clear_observation(out);
  const BreakoutState& s = state_;
  out[obs_index(kPaddleRow, s.paddle_column, kPaddle, kChannels)] = 1.f;
  out[obs_index(s.ball_row, s.ball_column, kBall, kChannels)] = 1.f;
  out[obs_index(s.trail_row, s.trail_column, kTrail, kChannels)] = 1.f;
  for (int r = 0; r < kMinAtarSize; ++r) {
    for (unsigned bits = s.bricks[r]; bits; bits &= bits - 1) {
      out[obs_index(r, __builtin_ctz(bits), kBrick, kChannels)] = 1.f;
    }
  }
}

void Breakout::load_game(StateReader& in) {
  const auto s = in.get<BreakoutState>();
  // The ball reaches the paddle's row only on the step that ends the game
  // (act() reads the row below it otherwise).
  bool ok = on_board(s.ball_row) && (s.ball_row < kPaddleRow || game_over()) &&
            on_board(s.ball_column) && on_board(s.trail_row) &&
                  on_board(s.trail_column) && on_board(s.paddle_column) &&
                  (s.ball_drow == 1 || s.ball_drow == -1) &&
                  (s.ball_dcolumn == 1 || s.ball_dcolumn == -1);
  // Bricks only ever stand in rows 1-3 (fill_bricks); one on the paddle's row
  // would let a striking ball pass below it.
  for (int r = 0; r < kMinAtarSize; ++r) {
    ok = ok && s.bricks[r] <= kFullRow && (s.bricks[r] == 0 || (r >= 1 && r <= 3));
  }
  if (!ok) throw std::invalid_argument("saved Breakout state is out of range");
  state_ = s;
}

}  // namespace disco
