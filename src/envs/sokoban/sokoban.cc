#include "envs/sokoban/sokoban.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "envs/registry.h"
#include "envs/sokoban/sokoban_level_file.h"

namespace disco {
namespace {

enum Channel { kWall, kFloor, kTarget, kBox, kBoxOnTarget, kPlayer, kPlayerOnTarget, kChannels };

}  // namespace

SokobanSettings SokobanSettings::from(EnvParams& p) {
  SokobanSettings s;
  const int size = p.get_int("size", s.rows);
  s.rows = p.get_int("rows", size);
  s.columns = p.get_int("columns", size);
  s.boxes = p.get_int("boxes", s.boxes);
  s.max_steps = p.get_int("max_steps", s.max_steps);
  s.levels_file = p.get_string("levels_file", "");
  return s;
}

Sokoban::Sokoban(const SokobanSettings& settings) : settings_(settings) {
  if (settings.rows < 3 || settings.columns < 3 || settings.rows > SokobanSettings::kMaxSide ||
      settings.columns > SokobanSettings::kMaxSide) {
    throw std::invalid_argument("sokoban: rows and columns must be in [3, " +
                                std::to_string(SokobanSettings::kMaxSide) + "], got " +
                                std::to_string(settings.rows) + "x" +
                                std::to_string(settings.columns));
  }
  if (settings.max_steps < 1) throw std::invalid_argument("sokoban: max_steps must be at least 1");
  if (settings.levels_file.empty()) {
    generator_ = std::make_unique<SokobanGenerator>(settings.rows, settings.columns, settings.boxes);
  } else {
    levels_ = shared_sokoban_levels(settings.levels_file, settings.rows, settings.columns);
  }
  level_.rows = settings.rows;
  level_.columns = settings.columns;
  level_.cells.assign(settings.rows * settings.columns, kSokobanWall);

  spec_.name = "sokoban(boxes=" + std::to_string(settings.boxes) +
               ",columns=" + std::to_string(settings.columns) +
               (settings.levels_file.empty() ? "" : ",levels_file=" + settings.levels_file) +
               ",max_steps=" + std::to_string(settings.max_steps) +
               ",rows=" + std::to_string(settings.rows) + ")";
  spec_.observation_shape = {settings.rows, settings.columns, kChannels};
  spec_.num_actions = 4;
  spec_.max_episode_steps = settings.max_steps;
  spec_.min_reward = kStepReward - kBoxOnTargetReward;
  spec_.max_reward = kStepReward + kBoxOnTargetReward + kSolvedReward;
}

void Sokoban::start_episode() {
  boxes_ = level_.count(kSokobanBox);
  boxes_on_target_ = level_.count(kSokobanBox | kSokobanTarget);
  steps_ = 0;
}

void Sokoban::set_level(const SokobanLevel& level) {
  if (level.rows != settings_.rows || level.columns != settings_.columns ||
      level.cells.size() != level_.cells.size()) {
    throw std::invalid_argument("sokoban: level size differs from the environment's");
  }
  level_ = level;
  start_episode();
}

void Sokoban::reset(Rng& rng) {
  if (generator_) {
    generator_->generate(rng, level_);
  } else {
    const SokobanLevel& drawn = (*levels_)[rng.uniform_int(static_cast<int>(levels_->size()))];
    std::copy(drawn.cells.begin(), drawn.cells.end(), level_.cells.begin());
    level_.player = drawn.player;
  }
  start_episode();
}

StepOutcome Sokoban::step(int action, Rng& /*rng*/) {
  static constexpr int kRowStep[4] = {-1, 1, 0, 0};
  static constexpr int kColumnStep[4] = {0, 0, -1, 1};
  const int columns = level_.columns;
  // Out of the grid counts as wall (a file's level need not be walled in).
  const auto cell_at = [&](int row, int column) -> int {
    if (row < 0 || row >= level_.rows || column < 0 || column >= columns) return -1;
    return row * columns + column;
  };
  const auto open = [&](int cell) {
    return cell >= 0 && !(level_.cells[cell] & (kSokobanWall | kSokobanBox));
  };
  const int row = level_.player / columns;
  const int column = level_.player % columns;
  const int next = cell_at(row + kRowStep[action], column + kColumnStep[action]);

  StepOutcome out;
  out.reward = kStepReward;
  if (open(next)) {
    level_.player = next;
  } else if (next >= 0 && (level_.cells[next] & kSokobanBox)) {
    const int beyond = cell_at(row + 2 * kRowStep[action], column + 2 * kColumnStep[action]);
    if (open(beyond)) {
      level_.cells[next] &= ~kSokobanBox;
      level_.cells[beyond] |= kSokobanBox;
      level_.player = next;
      const int change = ((level_.cells[beyond] & kSokobanTarget) ? 1 : 0) -
                         ((level_.cells[next] & kSokobanTarget) ? 1 : 0);
      boxes_on_target_ += change;
      out.reward += change * kBoxOnTargetReward;
    }
  }
  if (boxes_on_target_ == boxes_) {
    out.reward += kSolvedReward;
    out.terminal = true;
  }
  ++steps_;
  out.truncated = !out.terminal && steps_ >= settings_.max_steps;
  return out;
}

void Sokoban::observe(float* out) const {
  const int cells = level_.rows * level_.columns;
  std::memset(out, 0, sizeof(float) * cells * kChannels);
  for (int cell = 0; cell < cells; ++cell) {
    const uint8_t c = level_.cells[cell];
    const bool target = c & kSokobanTarget;
    int channel = target ? kTarget : kFloor;
    if (c & kSokobanWall) channel = kWall;
    if (c & kSokobanBox) channel = target ? kBoxOnTarget : kBox;
    if (cell == level_.player) channel = target ? kPlayerOnTarget : kPlayer;
    out[cell * kChannels + channel] = 1.f;
  }
}

void Sokoban::save(StateWriter& out) const {
  for (uint8_t c : level_.cells) out.put<uint8_t>(c);
  out.put<int32_t>(level_.player);
  out.put<int32_t>(steps_);
}

void Sokoban::load(StateReader& in) {
  for (uint8_t& c : level_.cells) c = in.get<uint8_t>();
  const int player = in.get<int32_t>();
  if (player < 0 || player >= static_cast<int>(level_.cells.size())) {
    throw std::invalid_argument("sokoban: saved player cell out of range");
  }
  level_.player = player;
  const int steps = in.get<int32_t>();
  start_episode();
  steps_ = steps;
}

std::string Sokoban::render() const {
  std::string out;
  for (int r = 0; r < level_.rows; ++r) {
    for (int c = 0; c < level_.columns; ++c) {
      const int cell = r * level_.columns + c;
      const uint8_t v = level_.cells[cell];
      const bool target = v & kSokobanTarget;
      char ch = target ? '.' : ' ';
      if (v & kSokobanWall) ch = '#';
      if (v & kSokobanBox) ch = target ? '*' : '$';
      if (cell == level_.player) ch = target ? '+' : '@';
      out += ch;
    }
    out += '\n';
  }
  return out;
}

EnvEntry sokoban_env_entry() {
  return {"sokoban",
          "Sokoban (Boxoban / gym-sokoban): push boxes onto targets in generated solvable rooms.",
          {{"size", "int", "10", "rows and columns of the room"},
           {"rows", "int", "size", "rows, overrides size"},
           {"columns", "int", "size", "columns, overrides size"},
           {"boxes", "int", "4", "boxes of generated levels"},
           {"max_steps", "int", "120", "steps before truncation"},
           {"levels_file", "string", "", "Boxoban-format levels file; none: generate"}},
          [](EnvParams& p) { return std::make_unique<Sokoban>(SokobanSettings::from(p)); }};
}

}  // namespace disco
