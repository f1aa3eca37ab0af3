#include "envs/minatar/space_invaders.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace disco {
namespace {

constexpr int kLastRow = kMinAtarSize - 1;
constexpr uint16_t kFullRow = (1u << kMinAtarSize) - 1;
constexpr uint16_t kStartColumns = 0xFC;  // columns 2-7
constexpr int kStartRows = 4;             // rows 0-3
constexpr int kFireCooldown = 5;
constexpr int kAlienShotInterval = 10;
constexpr int kStartMoveInterval = 12;
constexpr int kSlowestRampedInterval = 6;

void fill_aliens(SpaceInvadersState& s) {
  for (int r = 0; r < kStartRows; ++r) s.aliens[r] = kStartColumns;
}

// Set bits of a row (a loop: without -mpopcnt __builtin_popcount is a slow library call).
int bits_set(unsigned row) {
  int n = 0;
  for (; row; row &= row - 1) ++n;
  return n;
}

int count_aliens(const SpaceInvadersState& s) {
  int n = 0;
  for (uint16_t row : s.aliens) n += bits_set(row);
  return n;
}

uint16_t alien_columns(const SpaceInvadersState& s) {
  uint16_t any = 0;
  for (uint16_t row : s.aliens) any |= row;
  return any;
}

bool has(uint16_t row, int column) { return row >> column & 1; }

}  // namespace

SpaceInvaders::SpaceInvaders(const MinAtarSettings& settings)
    : MinAtarGame("minatar_space_invaders", kChannels, {kNoop, kLeft, kRight, kFire}, 0.f, 2.f,
                  settings) {}

void SpaceInvaders::reset_game(Rng& /*rng*/) {
  state_ = SpaceInvadersState{};
  fill_aliens(state_);
}

StepOutcome SpaceInvaders::act(int full_action, Rng& /*rng*/) {
  SpaceInvadersState& s = state_;
  if (full_action == kFire && s.fire_cooldown == 0) {
    s.player_bullets[kLastRow] |= static_cast<uint16_t>(1u << s.cannon_column);
    s.fire_cooldown = kFireCooldown;
  } else if (full_action == kLeft) {
    s.cannon_column = std::max(0, s.cannon_column - 1);
  } else if (full_action == kRight) {
    s.cannon_column = std::min(kLastRow, s.cannon_column + 1);
  }

  // Player bullets rise a row, enemy bullets fall one; both leave the board.
  std::copy(s.player_bullets.begin() + 1, s.player_bullets.end(), s.player_bullets.begin());
  s.player_bullets[kLastRow] = 0;
  std::copy_backward(s.enemy_bullets.begin(), s.enemy_bullets.end() - 1, s.enemy_bullets.end());
  s.enemy_bullets[0] = 0;

  bool terminal = has(s.enemy_bullets[kLastRow], s.cannon_column);
  if (has(s.aliens[kLastRow], s.cannon_column)) terminal = true;
  if (s.move_timer == 0) move_aliens(terminal);
  if (s.alien_shot_timer == 0) alien_fires();

  int reward = 0;
  for (int r = 0; r < kMinAtarSize; ++r) {
    const uint16_t hits = s.aliens[r] & s.player_bullets[r];
    if (!hits) continue;
    reward += bits_set(hits);
    s.aliens[r] &= static_cast<uint16_t>(~hits);
    s.player_bullets[r] &= static_cast<uint16_t>(~hits);
  }

  if (s.fire_cooldown > 0) --s.fire_cooldown;
  --s.move_timer;
  --s.alien_shot_timer;
  if (alien_columns(s) == 0) {
    if (ramping() && s.move_interval > kSlowestRampedInterval) {
      --s.move_interval;
      ++s.ramp_index;
    }
    fill_aliens(s);
  }
  return StepOutcome{static_cast<float>(reward), terminal, false};
}

void SpaceInvaders::move_aliens(bool& terminal) {
  SpaceInvadersState& s = state_;
  s.move_timer = std::min(count_aliens(s), s.move_interval);
  const uint16_t columns = alien_columns(s);
  const bool at_left_wall = has(columns, 0) && s.alien_direction < 0;
  const bool at_right_wall = has(columns, kLastRow) && s.alien_direction > 0;
  if (at_left_wall || at_right_wall) {
    s.alien_direction = -s.alien_direction;
    if (s.aliens[kLastRow]) terminal = true;
    // The original rolls the grid: the bottom row wraps to the top (the
    // episode has ended by then anyway).
    std::rotate(s.aliens.rbegin(), s.aliens.rbegin() + 1, s.aliens.rend());
  } else {
    // No alien sits on the wall ahead, so nothing wraps round.
    for (uint16_t& row : s.aliens) {
      row = static_cast<uint16_t>(s.alien_direction < 0 ? row >> 1 : (row << 1) & kFullRow);
    }
  }
  if (has(s.aliens[kLastRow], s.cannon_column)) terminal = true;
}

void SpaceInvaders::alien_fires() {
  SpaceInvadersState& s = state_;
  s.alien_shot_timer = kAlienShotInterval;
  const uint16_t columns = alien_columns(s);
  // Columns by distance from the cannon, the lower column first on ties.
  for (int d = 0; d < kMinAtarSize; ++d) {
    for (int c : {s.cannon_column - d, s.cannon_column + d}) {
      if (c < 0 || c > kLastRow || !has(columns, c)) continue;
      int bottom = kLastRow;
      while (!has(s.aliens[bottom], c)) --bottom;
      s.enemy_bullets[bottom] |= static_cast<uint16_t>(1u << c);
      return;
    }
  }
}

void SpaceInvaders::observe(float* out) const {
  clear_observation(out);
  const SpaceInvadersState& s = state_;
  out[obs_index(kLastRow, s.cannon_column, kCannon, kChannels)] = 1.f;
  const int heading = s.alien_direction < 0 ? kAlienLeft : kAlienRight;
  for (int r = 0; r < kMinAtarSize; ++r) {
    float* row = out + obs_index(r, 0, 0, kChannels);
    for (unsigned b = s.aliens[r]; b; b &= b - 1) {
      float* cell = row + __builtin_ctz(b) * kChannels;
      cell[kAlien] = 1.f;
      cell[heading] = 1.f;
    }
    for (unsigned b = s.player_bullets[r]; b; b &= b - 1) {
      row[__builtin_ctz(b) * kChannels + kPlayerBullet] = 1.f;
    }
    for (unsigned b = s.enemy_bullets[r]; b; b &= b - 1) {
      row[__builtin_ctz(b) * kChannels + kEnemyBullet] = 1.f;
    }
  }
}

std::string SpaceInvaders::render() const {
  const SpaceInvadersState& s = state_;
  const char alien = s.alien_direction < 0 ? '<' : '>';
  std::string out;
  for (int r = 0; r < kMinAtarSize; ++r) {
    for (int c = 0; c < kMinAtarSize; ++c) {
      char ch = '.';
      if (has(s.player_bullets[r], c)) ch = '|';
      if (has(s.enemy_bullets[r], c)) ch = '!';
      if (has(s.aliens[r], c)) ch = alien;
      if (r == kLastRow && c == s.cannon_column) ch = 'A';
      out += ch;
    }
    out += '\n';
  }
  out += "aliens " + std::to_string(count_aliens(s)) + "  move interval " +
         std::to_string(s.move_interval) + "\n";
  out += "legend: A cannon  < > alien (heading)  | your bullet  ! alien bullet\n";
  return out;
}

void SpaceInvaders::load_game(StateReader& in) {
  const auto s = in.get<SpaceInvadersState>();
  bool ok = s.cannon_column >= 0 && s.cannon_column <= kLastRow &&
            (s.alien_direction == 1 || s.alien_direction == -1) && s.move_interval >= 1 &&
            s.move_interval <= kStartMoveInterval && s.move_timer >= 0 && s.alien_shot_timer >= 0;
  for (int r = 0; r < kMinAtarSize; ++r) {
    ok = ok && s.aliens[r] <= kFullRow && s.player_bullets[r] <= kFullRow &&
         s.enemy_bullets[r] <= kFullRow;
  }
  if (!ok) throw std::invalid_argument("saved Space Invaders state is out of range");
  state_ = s;
}

}  // namespace disco
