// A Sokoban level as the environment and its level sources share it: a
// rows x columns grid of cell flags and the player's cell.
#pragma once

#include <cstdint>
#include <vector>

namespace disco {

// Flags of one cell; a cell with none is empty floor.
enum SokobanCell : uint8_t {
  kSokobanWall = 1,
  kSokobanTarget = 2,
  kSokobanBox = 4,
};

struct SokobanLevel {
  int rows = 0;
  int columns = 0;
  std::vector<uint8_t> cells;  // [rows * columns] SokobanCell flags
  int player = 0;              // row * columns + column

  int count(uint8_t flags) const {
    int n = 0;
    for (uint8_t c : cells) n += (c & flags) == flags;
    return n;
  }
};

}  // namespace disco
