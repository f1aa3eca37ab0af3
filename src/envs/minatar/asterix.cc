#include "envs/minatar/asterix.h"

#include <algorithm>
#include <stdexcept>

namespace disco {
namespace {

constexpr int kLastColumn = kMinAtarSize - 1;

}  // namespace

Asterix::Asterix(const MinAtarSettings& settings)
    : MinAtarGame("minatar_asterix", kChannels, {kNoop, kLeft, kUp, kRight, kDown}, 0.f, 1.f,
                  settings) {}

void Asterix::reset_game(Rng& /*rng*/) { state_ = AsterixState{}; }

void Asterix::spawn(Rng& rng) {
  // Draw order as the original: side, kind, then lane (only if one is free).
  const bool moving_right = rng.uniform() < 0.5;
  const bool gold = rng.uniform() < 1.0 / 3.0;
  int free_lanes[AsterixState::kLanes];
  int num_free = 0;
  for (int i = 0; i < AsterixState::kLanes; ++i) {
    if (!state_.lanes[i].present) free_lanes[num_free++] = i;
  }
  if (num_free == 0) return;
  AsterixObject& o = state_.lanes[free_lanes[rng.uniform_int(num_free)]];
  o.present = 1;
  o.column = static_cast<int8_t>(moving_right ? 0 : kLastColumn);
  o.moving_right = moving_right;
  o.gold = gold;
}

void Asterix::touch(StepOutcome& out) {
  AsterixObject& o = state_.lanes[state_.player_row - 1];
  if (!o.present || o.column != state_.player_column) return;
  if (o.gold) {
    o.present = 0;
    out.reward += 1.f;
  } else {
    out.terminal = true;
  }
}

void Asterix::ramp() {
  AsterixState& s = state_;
  if (s.spawn_period <= 1 && s.move_period <= 1) return;
  if (s.ramp_timer >= 0) {
    --s.ramp_timer;
    return;
  }
  if (s.move_period > 1 && s.ramp_index % 2 == 1) --s.move_period;
  if (s.spawn_period > 1) --s.spawn_period;
  ++s.ramp_index;
  s.ramp_timer = kRampInterval;
}

StepOutcome Asterix::act(int full_action, Rng& rng) {
  AsterixState& s = state_;
  StepOutcome out;
  if (s.spawn_timer == 0) {
    spawn(rng);
    s.spawn_timer = s.spawn_period;
  }
  switch (full_action) {
    case kLeft: s.player_column = std::max(0, s.player_column - 1); break;
    case kRight: s.player_column = std::min(kLastColumn, s.player_column + 1); break;
    case kUp: s.player_row = std::max(1, s.player_row - 1); break;
    case kDown: s.player_row = std::min(AsterixState::kLanes, s.player_row + 1); break;
    default: break;
  }
  touch(out);
  if (s.move_timer == 0) {
    s.move_timer = s.move_period;
    for (AsterixObject& o : s.lanes) {
      if (!o.present) continue;
      o.column = static_cast<int8_t>(o.column + (o.moving_right ? 1 : -1));
      if (o.column < 0 || o.column > kLastColumn) o.present = 0;
    }
    touch(out);  // only the player's lane can touch, so once after all moved
  }
  --s.spawn_timer;
  --s.move_timer;
  if (ramping()) ramp();
  return out;
}

void Asterix::observe(float* out) const {
  clear_observation(out);
  const AsterixState& s = state_;
  out[obs_index(s.player_row, s.player_column, kPlayer, kChannels)] = 1.f;
  for (int i = 0; i < AsterixState::kLanes; ++i) {
    const AsterixObject& o = s.lanes[i];
    if (!o.present) continue;
    const int row = i + 1;
    out[obs_index(row, o.column, o.gold ? kGold : kEnemy, kChannels)] = 1.f;
    const int back = o.column + (o.moving_right ? -1 : 1);
    if (back >= 0 && back <= kLastColumn) out[obs_index(row, back, kTrail, kChannels)] = 1.f;
  }
}

void Asterix::load_game(StateReader& in) {
  const auto s = in.get<AsterixState>();
  bool ok = s.player_row >= 1 && s.player_row <= AsterixState::kLanes && s.player_column >= 0 &&
            s.player_column <= kLastColumn && s.spawn_period >= 1 && s.move_period >= 1 &&
            s.spawn_timer >= 0 && s.move_timer >= 0;
  for (const AsterixObject& o : s.lanes) {
    ok = ok && (!o.present || (o.column >= 0 && o.column <= kLastColumn));
  }
  if (!ok) throw std::invalid_argument("saved Asterix state is out of range");
  state_ = s;
}

}  // namespace disco
