#include "envs/minatar/seaquest.h"

#include <algorithm>
#include <stdexcept>

namespace disco {
namespace {

constexpr int kPlayerShotCooldown = 5;
constexpr int kEnemyShotInterval = 10;  // fires when the timer is 0: every 11 steps
constexpr int kDiverSpawnPeriod = 30;
constexpr int kDiverMoveInterval = 5;   // moves when the timer is 0: every 6 steps
constexpr int kLowestSubRow = 8;        // row 9 holds the bars

bool on_board(int v) { return v >= 0 && v < kMinAtarSize; }
int step_of(int moving_right) { return moving_right ? 1 : -1; }

template <typename T>
bool at(const T& thing, int column, int row) {
  return thing.column == column && thing.row == row;
}

// Index of the oldest item of `list` on (column, row), or -1.
template <typename List>
int first_at(const List& list, int column, int row) {
  for (int i = 0; i < list.size; ++i) {
    if (at(list[i], column, row)) return i;
  }
  return -1;
}

}  // namespace

Seaquest::Seaquest(const MinAtarSettings& settings)
    : MinAtarGame("minatar_seaquest", kChannels, {kNoop, kLeft, kUp, kRight, kDown, kFire}, 0.f,
                  11.f, settings) {}

void Seaquest::reset_game(Rng& /*rng*/) { state_ = SeaquestState{}; }

StepOutcome Seaquest::act(int full_action, Rng& rng) {
  SeaquestState& s = state_;
  if (s.enemy_spawn_timer == 0) {
    spawn_enemy(rng);
    s.enemy_spawn_timer = s.enemy_spawn_period;
  }
  if (s.diver_spawn_timer == 0) {
    spawn_diver(rng);
    s.diver_spawn_timer = kDiverSpawnPeriod;
  }
  move_player(full_action);

  bool terminal = false;
  int reward = move_player_bullets();
  move_divers();
  reward += move_enemies(s.enemy_subs, /*fire=*/true, terminal);
  move_enemy_bullets(terminal);
  reward += move_enemies(s.fish, /*fire=*/false, terminal);

  if (s.enemy_spawn_timer > 0) --s.enemy_spawn_timer;
  if (s.diver_spawn_timer > 0) --s.diver_spawn_timer;
  if (s.shot_timer > 0) --s.shot_timer;
  // Oxygen is tested before this step's use: the 201st step under water ends it.
  if (s.oxygen <= 0) terminal = true;
  if (s.sub_row > 0) {
    --s.oxygen;
    s.surfaced = 0;
  } else if (!s.surfaced) {
    if (s.divers_aboard == 0) {
      terminal = true;
    } else {
      reward += surface();
    }
  }
  return StepOutcome{static_cast<float>(reward), terminal, false};
}

void Seaquest::spawn_enemy(Rng& rng) {
  SeaquestState& s = state_;
  // Three draws in the original's order: side, kind, row.
  const bool moving_right = rng.uniform() < 0.5;
  const bool is_sub = rng.uniform() < 1.0 / 3.0;
  const int row = rng.uniform_int(1, kLowestSubRow);
  // No spawn into a row where an enemy travels the other way.
  for (const auto* list : {&s.enemy_subs, &s.fish}) {
    for (int i = 0; i < list->size; ++i) {
      if ((*list)[i].row == row && (*list)[i].moving_right != moving_right) return;
    }
  }
  SeaquestMover enemy;
  enemy.column = static_cast<int8_t>(moving_right ? 0 : kMinAtarSize - 1);
  enemy.row = static_cast<int8_t>(row);
  enemy.moving_right = moving_right;
  enemy.move_timer = static_cast<int8_t>(s.enemy_move_period);
  enemy.shot_timer = kEnemyShotInterval;
  (is_sub ? s.enemy_subs : s.fish).push_back(enemy);
}

void Seaquest::spawn_diver(Rng& rng) {
  const bool moving_right = rng.uniform() < 0.5;
  SeaquestMover diver;
  diver.column = static_cast<int8_t>(moving_right ? 0 : kMinAtarSize - 1);
  diver.row = static_cast<int8_t>(rng.uniform_int(1, kLowestSubRow));
  diver.moving_right = moving_right;
  diver.move_timer = kDiverMoveInterval;
  state_.divers.push_back(diver);
}

void Seaquest::move_player(int full_action) {
  SeaquestState& s = state_;
  if (full_action == kFire) {
    if (s.shot_timer == 0) {
      s.player_bullets.push_back(
          SeaquestBullet{static_cast<int8_t>(s.sub_column), static_cast<int8_t>(s.sub_row),
                         static_cast<int8_t>(s.sub_facing_right)});
      s.shot_timer = kPlayerShotCooldown;
    }
  } else if (full_action == kLeft) {
    s.sub_column = std::max(0, s.sub_column - 1);
    s.sub_facing_right = 0;
  } else if (full_action == kRight) {
    s.sub_column = std::min(kMinAtarSize - 1, s.sub_column + 1);
    s.sub_facing_right = 1;
  } else if (full_action == kUp) {
    s.sub_row = std::max(0, s.sub_row - 1);
  } else if (full_action == kDown) {
    s.sub_row = std::min(kLowestSubRow, s.sub_row + 1);
  }
}

int Seaquest::move_player_bullets() {
  SeaquestState& s = state_;
  int reward = 0;
  for (int i = s.player_bullets.size - 1; i >= 0; --i) {
    SeaquestBullet& b = s.player_bullets[i];
    b.column = static_cast<int8_t>(b.column + step_of(b.moving_right));
    if (!on_board(b.column)) {
      s.player_bullets.erase(i);
      continue;
    }
    // A fish on the cell is hit first, else an enemy sub.
    int hit = first_at(s.fish, b.column, b.row);
    if (hit >= 0) {
      s.fish.erase(hit);
    } else if ((hit = first_at(s.enemy_subs, b.column, b.row)) >= 0) {
      s.enemy_subs.erase(hit);
    }
    if (hit >= 0) {
      s.player_bullets.erase(i);
      ++reward;
    }
  }
  return reward;
}

void Seaquest::move_divers() {
  SeaquestState& s = state_;
  auto pick_up = [&s](const SeaquestMover& d) {
    return at(d, s.sub_column, s.sub_row) && s.divers_aboard < kMaxDivers;
  };
  for (int i = s.divers.size - 1; i >= 0; --i) {
    SeaquestMover& d = s.divers[i];
    if (pick_up(d)) {
      s.divers.erase(i);
      ++s.divers_aboard;
    } else if (d.move_timer == 0) {
      d.move_timer = kDiverMoveInterval;
      d.column = static_cast<int8_t>(d.column + step_of(d.moving_right));
      if (!on_board(d.column)) {
        s.divers.erase(i);
      } else if (pick_up(d)) {
        s.divers.erase(i);
        ++s.divers_aboard;
      }
    } else {
      --d.move_timer;
    }
  }
}

int Seaquest::move_enemies(OrderedList<SeaquestMover, 64>& enemies, bool fire, bool& terminal) {
  SeaquestState& s = state_;
  int reward = 0;
  for (int i = enemies.size - 1; i >= 0; --i) {
    SeaquestMover e = enemies[i];
    if (at(e, s.sub_column, s.sub_row)) terminal = true;
    bool alive = true;
    if (e.move_timer == 0) {
      e.move_timer = static_cast<int8_t>(s.enemy_move_period);
      e.column = static_cast<int8_t>(e.column + step_of(e.moving_right));
      if (!on_board(e.column)) {
        alive = false;
      } else if (at(e, s.sub_column, s.sub_row)) {
        terminal = true;
      } else {
        const int hit = first_at(s.player_bullets, e.column, e.row);
        if (hit >= 0) {
          s.player_bullets.erase(hit);
          ++reward;
          alive = false;
        }
      }
    } else {
      --e.move_timer;
    }
    // Enemy subs keep their firing schedule on the step they die; a shot
    // from off the board would vanish at once, so it is not made.
    if (fire) {
      if (e.shot_timer == 0) {
        e.shot_timer = kEnemyShotInterval;
        if (on_board(e.column)) s.enemy_bullets.push_back(SeaquestBullet{e.column, e.row, e.moving_right});
      } else {
        --e.shot_timer;
      }
    }
    if (alive) {
      enemies[i] = e;
    } else {
      enemies.erase(i);
    }
  }
  return reward;
}

void Seaquest::move_enemy_bullets(bool& terminal) {
  SeaquestState& s = state_;
  for (int i = s.enemy_bullets.size - 1; i >= 0; --i) {
    SeaquestBullet& b = s.enemy_bullets[i];
    if (at(b, s.sub_column, s.sub_row)) terminal = true;
    b.column = static_cast<int8_t>(b.column + step_of(b.moving_right));
    if (!on_board(b.column)) {
      s.enemy_bullets.erase(i);
    } else if (at(b, s.sub_column, s.sub_row)) {
      terminal = true;
    }
  }
}

int Seaquest::surface() {
  SeaquestState& s = state_;
  s.surfaced = 1;
  int reward = 0;
  if (s.divers_aboard == kMaxDivers) {
    s.divers_aboard = 0;
    reward = s.oxygen * 10 / kMaxOxygen;
  }
  s.oxygen = kMaxOxygen;
  --s.divers_aboard;
  if (ramping() && (s.enemy_spawn_period > 1 || s.enemy_move_period > 2)) {
    if (s.enemy_move_period > 2 && s.ramp_index % 2 == 1) --s.enemy_move_period;
    if (s.enemy_spawn_period > 1) --s.enemy_spawn_period;
    ++s.ramp_index;
  }
  return reward;
}

void Seaquest::observe(float* out) const {
  clear_observation(out);
  const SeaquestState& s = state_;
  auto mark = [out](int row, int column, int channel) {
    out[obs_index(row, column, channel, kChannels)] = 1.f;
  };
  auto mark_with_trail = [&mark](const SeaquestMover& m, int channel) {
    mark(m.row, m.column, channel);
    const int behind = m.column - step_of(m.moving_right);
    if (on_board(behind)) mark(m.row, behind, kTrail);
  };
  mark(s.sub_row, s.sub_column, kSubFront);
  // The sub can never face away from a wall it touches, so its back is on the board.
  const int back = s.sub_column - step_of(s.sub_facing_right);
  if (on_board(back)) mark(s.sub_row, back, kSubBack);
  const int last = kMinAtarSize - 1;
  for (int c = 0; c < std::max(0, s.oxygen) * 10 / kMaxOxygen; ++c) mark(last, c, kOxygenBar);
  for (int c = last - std::max(0, s.divers_aboard); c < last; ++c) mark(last, c, kDiverBar);
  for (int i = 0; i < s.player_bullets.size; ++i) {
    mark(s.player_bullets[i].row, s.player_bullets[i].column, kPlayerBullet);
  }
  for (int i = 0; i < s.enemy_bullets.size; ++i) {
    mark(s.enemy_bullets[i].row, s.enemy_bullets[i].column, kEnemyBullet);
  }
  for (int i = 0; i < s.fish.size; ++i) mark_with_trail(s.fish[i], kFish);
  for (int i = 0; i < s.enemy_subs.size; ++i) mark_with_trail(s.enemy_subs[i], kEnemySub);
  for (int i = 0; i < s.divers.size; ++i) mark_with_trail(s.divers[i], kDiver);
}

std::string Seaquest::render() const {
  const SeaquestState& s = state_;
  // One character per cell; later marks win where things overlap.
  std::array<std::string, kMinAtarSize> grid;
  grid.fill(std::string(kMinAtarSize, '.'));
  auto put = [&grid](int row, int column, char c) {
    if (on_board(row) && on_board(column)) grid[row][column] = c;
  };
  for (int i = 0; i < s.divers.size; ++i) {
    put(s.divers[i].row, s.divers[i].column - step_of(s.divers[i].moving_right), '~');
  }
  for (const auto* list : {&s.fish, &s.enemy_subs}) {
    for (int i = 0; i < list->size; ++i) {
      const SeaquestMover& e = (*list)[i];
      put(e.row, e.column - step_of(e.moving_right), '~');
    }
  }
  const int last = kMinAtarSize - 1;
  for (int c = 0; c < std::max(0, s.oxygen) * 10 / kMaxOxygen; ++c) put(last, c, 'O');
  for (int c = last - std::max(0, s.divers_aboard); c < last; ++c) put(last, c, 'D');
  for (int i = 0; i < s.divers.size; ++i) put(s.divers[i].row, s.divers[i].column, 'd');
  for (int i = 0; i < s.fish.size; ++i) put(s.fish[i].row, s.fish[i].column, 'f');
  for (int i = 0; i < s.enemy_subs.size; ++i) put(s.enemy_subs[i].row, s.enemy_subs[i].column, 'S');
  for (int i = 0; i < s.enemy_bullets.size; ++i) {
    put(s.enemy_bullets[i].row, s.enemy_bullets[i].column, '*');
  }
  for (int i = 0; i < s.player_bullets.size; ++i) {
    put(s.player_bullets[i].row, s.player_bullets[i].column, '-');
  }
  put(s.sub_row, s.sub_column - step_of(s.sub_facing_right), '=');
  put(s.sub_row, s.sub_column, s.sub_facing_right ? '>' : '<');
  std::string out;
  for (const std::string& row : grid) out += row + '\n';
  out += "oxygen " + std::to_string(std::max(0, s.oxygen)) + "/" + std::to_string(kMaxOxygen) +
         "  divers " + std::to_string(s.divers_aboard) + "/" + std::to_string(kMaxDivers) + "\n";
  out += "legend: <> sub front  = sub back  - your bullet  * enemy bullet  f fish  S enemy sub\n"
         "        d diver  ~ trail  O oxygen bar  D diver bar\n";
  return out;
}

void Seaquest::load_game(StateReader& in) {
  const auto s = in.get<SeaquestState>();
  bool ok = on_board(s.sub_column) && s.sub_row >= 0 && s.sub_row <= kLowestSubRow &&
            s.divers_aboard <= kMaxDivers && s.oxygen <= kMaxOxygen && s.enemy_move_period >= 0 &&
            s.enemy_spawn_period >= 0;
  ok = ok && s.player_bullets.size >= 0 && s.player_bullets.size <= 4;
  for (int n : {s.enemy_bullets.size, s.fish.size, s.enemy_subs.size}) ok = ok && n >= 0 && n <= 64;
  ok = ok && s.divers.size >= 0 && s.divers.size <= 8;
  // Everything observe() marks is on the board (movers below the surface),
  // timers count down to 0, and the difficulty only ever ramps up from the
  // start's periods (so ramp_index stays small).
  auto on_grid = [](const auto& thing) { return on_board(thing.row) && on_board(thing.column); };
  auto mover_ok = [&](const SeaquestMover& m) {
    return on_grid(m) && m.row >= 1 && m.row <= kLowestSubRow && m.move_timer >= 0 &&
           m.shot_timer >= 0;
  };
  for (int i = 0; ok && i < s.player_bullets.size; ++i) ok = on_grid(s.player_bullets[i]);
  for (int i = 0; ok && i < s.enemy_bullets.size; ++i) ok = on_grid(s.enemy_bullets[i]);
  for (int i = 0; ok && i < s.fish.size; ++i) ok = mover_ok(s.fish[i]);
  for (int i = 0; ok && i < s.enemy_subs.size; ++i) ok = mover_ok(s.enemy_subs[i]);
  for (int i = 0; ok && i < s.divers.size; ++i) ok = mover_ok(s.divers[i]);
  const SeaquestState start;
  ok = ok && s.enemy_spawn_period <= start.enemy_spawn_period &&
       s.enemy_move_period <= start.enemy_move_period && s.ramp_index >= 0 &&
       s.ramp_index <= 2 * (start.enemy_spawn_period + start.enemy_move_period);
  if (!ok) throw std::invalid_argument("saved Seaquest state is out of range");
  state_ = s;
}

}  // namespace disco
