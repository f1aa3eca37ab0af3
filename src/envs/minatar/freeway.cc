#include "envs/minatar/freeway.h"

#include <algorithm>
#include <stdexcept>

namespace disco {
namespace {

constexpr int kBottomRow = kMinAtarSize - 1;

int wrap_column(int column) {
  return column < 0 ? kMinAtarSize - 1 : column >= kMinAtarSize ? 0 : column;
}

}  // namespace

Freeway::Freeway(const MinAtarSettings& settings)
    : MinAtarGame("minatar_freeway", kChannels, {kNoop, kUp, kDown}, 0.f, 1.f, settings) {}

void Freeway::draw_speeds(Rng& rng) {
  // Draw order as the original: all eight speeds, then all eight directions.
  for (FreewayCar& car : state_.cars) {
    car.speed = static_cast<int8_t>(rng.uniform_int(1, 5));
    car.timer = car.speed;
  }
  for (FreewayCar& car : state_.cars) car.direction = rng.uniform() < 0.5 ? -1 : 1;
}

void Freeway::reset_game(Rng& rng) {
  state_ = FreewayState{};
  draw_speeds(rng);
}

StepOutcome Freeway::act(int full_action, Rng& rng) {
  FreewayState& s = state_;
  StepOutcome out;
  if (s.cooldown == 0 && (full_action == kUp || full_action == kDown)) {
    s.cooldown = kMoveCooldown;
    s.chicken_row = std::clamp(s.chicken_row + (full_action == kUp ? -1 : 1), 0, kBottomRow);
  }
  if (s.chicken_row == 0) {
    out.reward = 1.f;
    draw_speeds(rng);
    s.chicken_row = kBottomRow;
  }
  for (int i = 0; i < FreewayState::kCars; ++i) {
    FreewayCar& car = s.cars[i];
    const int row = i + 1;
    if (car.column == kChickenColumn && row == s.chicken_row) s.chicken_row = kBottomRow;
    if (car.timer == 0) {
      car.timer = car.speed;
      car.column = static_cast<int8_t>(wrap_column(car.column + car.direction));
      if (car.column == kChickenColumn && row == s.chicken_row) s.chicken_row = kBottomRow;
    } else {
      --car.timer;
    }
  }
  if (s.cooldown > 0) --s.cooldown;
  if (--s.steps_left < 0) out.terminal = true;
  return out;
}

void Freeway::observe(float* out) const {
  clear_observation(out);
  const FreewayState& s = state_;
  out[obs_index(s.chicken_row, kChickenColumn, kChicken, kChannels)] = 1.f;
  for (int i = 0; i < FreewayState::kCars; ++i) {
    const FreewayCar& car = s.cars[i];
    const int row = i + 1;
    out[obs_index(row, car.column, kCar, kChannels)] = 1.f;
    const int back = wrap_column(car.column - car.direction);
    out[obs_index(row, back, kTrailSpeed1 + car.speed - 1, kChannels)] = 1.f;
  }
}

void Freeway::load_game(StateReader& in) {
  const auto s = in.get<FreewayState>();
  bool ok = s.chicken_row >= 0 && s.chicken_row <= kBottomRow && s.cooldown >= 0;
  for (const FreewayCar& car : s.cars) {
    ok = ok && car.column >= 0 && car.column < kMinAtarSize && car.speed >= 1 && car.speed <= 5 &&
         car.timer >= 0 && (car.direction == 1 || car.direction == -1);
  }
  if (!ok) throw std::invalid_argument("saved Freeway state is out of range");
  state_ = s;
}

}  // namespace disco
