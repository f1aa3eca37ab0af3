#include "envs/sokoban/sokoban_generator.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace disco {
namespace {

constexpr double kChangeDirection = 0.35;

// gym-sokoban's five floor stamps, centred on the walk's position.
constexpr uint8_t kMasks[5][3][3] = {
    {{0, 0, 0}, {1, 1, 1}, {0, 0, 0}},
    {{0, 1, 0}, {0, 1, 0}, {0, 1, 0}},
    {{0, 0, 0}, {1, 1, 0}, {0, 1, 0}},
    {{0, 0, 0}, {1, 1, 0}, {1, 1, 0}},
    {{0, 0, 0}, {0, 1, 1}, {0, 1, 0}},
};
constexpr int kRowStep[4] = {1, 0, -1, 0};
constexpr int kColumnStep[4] = {0, 1, 0, -1};

}  // namespace

SokobanGenerator::SokobanGenerator(int rows, int columns, int boxes)
    : rows_(rows), columns_(columns), boxes_(boxes) {
  if (rows < 5 || columns < 5) {
    throw std::invalid_argument("sokoban: generated levels need rows and columns >= 5, got " +
                                std::to_string(rows) + "x" + std::to_string(columns));
  }
  if (boxes < 1) throw std::invalid_argument("sokoban: boxes must be at least 1");
  // Checked before the buffers sized by `boxes` are allocated: the player and
  // every box need a cell of their own inside the border walls.
  if (boxes >= (rows - 2) * (columns - 2)) {
    throw std::invalid_argument("sokoban: " + std::to_string(boxes) + " boxes do not fit in " +
                                std::to_string(rows) + "x" + std::to_string(columns) + " rooms");
  }
  const int cells = rows * columns;
  cells_.assign(cells, kSokobanWall);
  floor_.reserve(cells);
  box_cell_.assign(boxes, 0);
  box_target_.assign(boxes, 0);
  best_box_cell_.assign(boxes, 0);
  box_at_.assign(cells, -1);
  // Fail here, with the settings named, rather than at some later reset.
  Rng probe(0);
  SokobanLevel level;
  try {
    generate(probe, level);
  } catch (const std::runtime_error&) {
    throw std::invalid_argument("sokoban: cannot generate " + std::to_string(rows) + "x" +
                                std::to_string(columns) + " levels with " + std::to_string(boxes) +
                                " boxes (rooms too small)");
  }
}

void SokobanGenerator::generate(Rng& rng, SokobanLevel& level) {
  level.rows = rows_;
  level.columns = columns_;
  level.cells.resize(cells_.size());
  for (int attempt = 0; attempt < kMaxRooms; ++attempt) {
    if (try_room(rng, level)) return;
  }
  throw std::runtime_error("sokoban: no solvable level in " + std::to_string(kMaxRooms) + " rooms");
}

void SokobanGenerator::draw_topology(Rng& rng) {
  std::fill(cells_.begin(), cells_.end(), kSokobanWall);
  int direction = rng.uniform_int(4);
  int row = rng.uniform_int(1, rows_ - 1);
  int column = rng.uniform_int(1, columns_ - 1);
  const int steps = static_cast<int>(1.7 * (rows_ + columns_));
  for (int s = 0; s < steps; ++s) {
    if (rng.uniform() < kChangeDirection) direction = rng.uniform_int(4);
    row = std::clamp(row + kRowStep[direction], 1, rows_ - 2);
    column = std::clamp(column + kColumnStep[direction], 1, columns_ - 2);
    const auto& mask = kMasks[rng.uniform_int(5)];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        if (mask[i][j]) cells_[(row - 1 + i) * columns_ + column - 1 + j] = 0;
  }
  for (int r = 0; r < rows_; ++r) {
    cells_[r * columns_] = cells_[r * columns_ + columns_ - 1] = kSokobanWall;
  }
  for (int c = 0; c < columns_; ++c) {
    cells_[c] = cells_[(rows_ - 1) * columns_ + c] = kSokobanWall;
  }
}

int SokobanGenerator::score() const {
  int distance = 0;
  for (int b = 0; b < boxes_; ++b) {
    if (cells_[box_cell_[b]] & kSokobanTarget) return 0;
    distance += std::abs(box_cell_[b] / columns_ - box_target_[b] / columns_) +
                std::abs(box_cell_[b] % columns_ - box_target_[b] % columns_);
  }
  return swaps_ * distance;
}

bool SokobanGenerator::try_room(Rng& rng, SokobanLevel& level) {
  draw_topology(rng);
  floor_.clear();
  for (int cell = 0; cell < static_cast<int>(cells_.size()); ++cell) {
    if (cells_[cell] == 0) floor_.push_back(cell);
  }
  const int num_floor = static_cast<int>(floor_.size());
  if (num_floor <= boxes_ + 1) return false;

  const int start = floor_[rng.uniform_int(num_floor)];
  for (int b = 0; b < boxes_; ++b) {
    int cell;
    do cell = floor_[rng.uniform_int(num_floor)];
    while (cell == start || cells_[cell] != 0);
    cells_[cell] = kSokobanTarget;
    box_target_[b] = cell;
  }

  // Reverse play from the solved state: each step walks in a random
  // direction and pulls the box behind the player, if any.
  const int step[4] = {-columns_, columns_, -1, 1};
  int best_score = 0;
  for (int walk = 0; walk < kReverseWalks; ++walk) {
    for (int b = 0; b < boxes_; ++b) box_at_[box_cell_[b]] = -1;
    for (int b = 0; b < boxes_; ++b) box_at_[box_cell_[b] = box_target_[b]] = b;
    player_ = start;
    swaps_ = 0;
    int last_pulled = -1;
    for (int s = 0; s < kReverseSteps; ++s) {
      const int d = step[rng.uniform_int(4)];
      const int next = player_ + d;
      if ((cells_[next] & kSokobanWall) || box_at_[next] >= 0) continue;
      const int behind = player_ - d;
      const int before = player_;
      player_ = next;
      if (box_at_[behind] < 0) continue;
      const int b = box_at_[behind];
      box_at_[behind] = -1;
      box_at_[before] = b;
      box_cell_[b] = before;
      if (b != last_pulled) ++swaps_;
      last_pulled = b;
      const int sc = score();
      if (sc > best_score) {
        best_score = sc;
        best_player_ = player_;
        std::copy(box_cell_.begin(), box_cell_.end(), best_box_cell_.begin());
      }
    }
  }
  for (int b = 0; b < boxes_; ++b) box_at_[box_cell_[b]] = -1;
  if (best_score == 0) return false;

  std::copy(cells_.begin(), cells_.end(), level.cells.begin());
  for (int b = 0; b < boxes_; ++b) level.cells[best_box_cell_[b]] |= kSokobanBox;
  level.player = best_player_;
  return true;
}

}  // namespace disco
