// Catch: a ball falls from a random column of the top row, one row per step;
// the agent moves a paddle along the bottom row. The episode ends when the
// ball reaches the bottom row: +1 if the paddle is under it, -1 otherwise.
//
// Reference: Osband et al., "Behaviour Suite for Reinforcement Learning"
// (bsuite, 2020); the disco_rl reference (environments/catch.py) uses 8x8 for
// evaluation and 5x5 for meta-training.
//
// Observation: [rows, columns] floats, 1 at the ball and at the paddle.
// Actions: 0 left, 1 stay, 2 right (the paddle stops at the walls).
// The paddle starts in column columns/2. Episodes last rows-1 steps.
//
// Parameters:
//   rows     int  rows of the board, 2..1000      (default = 10)
//   columns  int  columns of the board, 1..1000   (default = 5)
#pragma once

#include "envs/env_params.h"
#include "envs/environment.h"

namespace disco {

struct CatchSettings {
  // Bounds the board (and so the buffers a batch allocates for it).
  static constexpr int kMaxSide = 1000;
  int rows = 10;
  int columns = 5;
  static CatchSettings from(EnvParams& p);
};

class Catch final : public Environment {
 public:
  explicit Catch(const CatchSettings& settings);

  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng& rng) override;
  StepOutcome step(int action, Rng& rng) override;
  void observe(float* out) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  std::string render() const override;
  std::vector<std::string> action_names() const override { return {"left", "stay", "right"}; }

  int ball_row() const { return ball_row_; }
  int ball_column() const { return ball_column_; }
  int paddle_column() const { return paddle_column_; }

 private:
  CatchSettings settings_;
  EnvSpec spec_;
  int ball_row_ = 0;
  int ball_column_ = 0;
  int paddle_column_ = 0;
};

}  // namespace disco
