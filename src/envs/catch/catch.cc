#include "envs/catch/catch.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace disco {

CatchSettings CatchSettings::from(EnvParams& p) {
  CatchSettings s;
  s.rows = p.get_int("rows", s.rows);
  s.columns = p.get_int("columns", s.columns);
  if (s.rows < 2 || s.rows > kMaxSide) {
    throw std::invalid_argument("catch: rows must be in [2, " + std::to_string(kMaxSide) +
                                "], got " + std::to_string(s.rows));
  }
  if (s.columns < 1 || s.columns > kMaxSide) {
    throw std::invalid_argument("catch: columns must be in [1, " + std::to_string(kMaxSide) +
                                "], got " + std::to_string(s.columns));
  }
  return s;
}

Catch::Catch(const CatchSettings& settings) : settings_(settings) {
  if (settings.rows < 2 || settings.columns < 1 || settings.rows > CatchSettings::kMaxSide ||
      settings.columns > CatchSettings::kMaxSide) {
    throw std::invalid_argument("catch: needs rows in [2, 1000] and columns in [1, 1000]");
  }
  spec_.name = "catch(columns=" + std::to_string(settings.columns) +
               ",rows=" + std::to_string(settings.rows) + ")";
  spec_.observation_shape = {settings.rows, settings.columns};
  spec_.num_actions = 3;
  spec_.min_reward = -1.f;
  spec_.max_reward = 1.f;
}

void Catch::reset(Rng& rng) {
  ball_row_ = 0;
  ball_column_ = rng.uniform_int(settings_.columns);
  paddle_column_ = settings_.columns / 2;
}

StepOutcome Catch::step(int action, Rng& /*rng*/) {
  paddle_column_ = std::clamp(paddle_column_ + action - 1, 0, settings_.columns - 1);
  ++ball_row_;
  StepOutcome out;
  if (ball_row_ == settings_.rows - 1) {
    out.terminal = true;
    out.reward = paddle_column_ == ball_column_ ? 1.f : -1.f;
  }
  return out;
}

void Catch::observe(float* out) const {
  std::memset(out, 0, sizeof(float) * settings_.rows * settings_.columns);
  out[ball_row_ * settings_.columns + ball_column_] = 1.f;
  out[(settings_.rows - 1) * settings_.columns + paddle_column_] = 1.f;
}

void Catch::save(StateWriter& out) const {
  out.put<int32_t>(ball_row_);
  out.put<int32_t>(ball_column_);
  out.put<int32_t>(paddle_column_);
}

void Catch::load(StateReader& in) {
  const int ball_row = in.get<int32_t>();
  const int ball_column = in.get<int32_t>();
  const int paddle_column = in.get<int32_t>();
  // A state inside an episode: the ball above the bottom row (reaching it ends
  // the episode), everything on the board that observe() writes into.
  if (ball_row < 0 || ball_row >= settings_.rows - 1 || ball_column < 0 ||
      ball_column >= settings_.columns || paddle_column < 0 || paddle_column >= settings_.columns) {
    throw std::invalid_argument("catch: saved state is out of range");
  }
  ball_row_ = ball_row;
  ball_column_ = ball_column;
  paddle_column_ = paddle_column;
}

std::string Catch::render() const {
  std::string out;
  for (int r = 0; r < settings_.rows; ++r) {
    for (int c = 0; c < settings_.columns; ++c) {
      const bool ball = r == ball_row_ && c == ball_column_;
      const bool paddle = r == settings_.rows - 1 && c == paddle_column_;
      out += ball ? 'o' : paddle ? '=' : '.';
    }
    out += '\n';
  }
  return out;
}

}  // namespace disco
